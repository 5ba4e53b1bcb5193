from django.db import migrations, models


def pending_awaits_payment(apps, schema_editor):
    Order = apps.get_model("ordering", "Order")
    Order.objects.filter(status="pending").update(status="awaiting_payment")


def awaiting_payment_is_pending(apps, schema_editor):
    Order = apps.get_model("ordering", "Order")
    Order.objects.filter(status="awaiting_payment").update(status="pending")


class Migration(migrations.Migration):
    dependencies = [("ordering", "0001_initial")]

    operations = [
        migrations.AlterField(
            model_name="order",
            name="status",
            field=models.CharField(
                choices=[
                    ("awaiting_payment", "Awaiting payment"),
                    ("paid", "Paid"),
                    ("shipped", "Shipped"),
                    ("delivered", "Delivered"),
                    ("canceled", "Canceled"),
                    ("expired", "Expired (canceled for want of payment)"),
                ],
                default="awaiting_payment",
                max_length=20,
            ),
        ),
        migrations.RunPython(pending_awaits_payment, awaiting_payment_is_pending),
    ]
