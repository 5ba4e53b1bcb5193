"""Payments refer to what they pay by reference (payable_kind, payable_id) instead of a foreign
key to ordering's Order, so that payments imports no app that sells. Every payment is kept:
each becomes a payment of the payable ("order", its order_id)."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import F, Q


def order_to_payable(apps, schema_editor):
    Payment = apps.get_model("payments", "Payment")
    Payment.objects.update(payable_kind="order", payable_id=F("order_id"))


def payable_to_order(apps, schema_editor):
    Payment = apps.get_model("payments", "Payment")
    Payment.objects.filter(payable_kind="order").update(order_id=F("payable_id"))


class Migration(migrations.Migration):

    dependencies = [
        ("ordering", "0003_baskets"),
        ("payments", "0003_settle_stale_payments"),
    ]

    operations = [
        migrations.AddField(
            model_name="payment",
            name="payable_kind",
            field=models.CharField(default="order", max_length=20),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="payment",
            name="payable_id",
            field=models.BigIntegerField(null=True),
        ),
        # nullable on the way, so that the migration can be reversed with payments in place
        migrations.AlterField(
            model_name="payment",
            name="order",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="ordering.order",
            ),
        ),
        migrations.RunPython(order_to_payable, payable_to_order),
        migrations.AlterField(
            model_name="payment",
            name="payable_id",
            field=models.BigIntegerField(),
        ),
        migrations.RemoveConstraint(
            model_name="payment",
            name="payment_one_live_per_order",
        ),
        migrations.RemoveIndex(
            model_name="payment",
            name="payment_order_id",
        ),
        migrations.RemoveField(
            model_name="payment",
            name="order",
        ),
        migrations.AddConstraint(
            model_name="payment",
            constraint=models.UniqueConstraint(
                condition=Q(("status__in", ["processing", "succeeded"])),
                fields=("payable_kind", "payable_id"),
                name="payment_one_live_per_payable",
            ),
        ),
        migrations.AddIndex(
            model_name="payment",
            index=models.Index(
                fields=["payable_kind", "payable_id", "id"], name="payment_payable_id"
            ),
        ),
    ]
