"""Basket and order lines name a variant: each existing line points at its product's default
variant (made by catalog's 0005, the product's only one), and an order line records the SKU
it was ordered as. Quantities, prices and stock are untouched: nothing is lost."""

import django.db.models.deletion
from django.db import migrations, models

BATCH = 2000


def point_at_default_variants(apps, schema_editor):  # type: ignore[no-untyped-def]
    Variant = apps.get_model("catalog", "Variant")
    variant_of = {
        product_id: (pk, sku)
        for pk, product_id, sku in Variant.objects.order_by("id").values_list(
            "id", "product_id", "sku"
        )
    }
    for model, fields in (("BasketLine", ["variant"]), ("OrderLine", ["variant", "sku"])):
        Line = apps.get_model("ordering", model)
        batch = []
        for line in Line.objects.filter(variant__isnull=True).order_by("id").iterator(BATCH):
            line.variant_id, sku = variant_of[line.product_id]
            if "sku" in fields:
                line.sku = sku
            batch.append(line)
            if len(batch) >= BATCH:
                Line.objects.bulk_update(batch, fields)
                batch = []
        Line.objects.bulk_update(batch, fields)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0005_variants"),
        ("ordering", "0004_order_checkout"),
    ]

    operations = [
        migrations.AddField(
            model_name="basketline",
            name="variant",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="catalog.variant",
            ),
        ),
        migrations.AddField(
            model_name="orderline",
            name="variant",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="catalog.variant",
            ),
        ),
        migrations.AddField(
            model_name="orderline",
            name="sku",
            field=models.CharField(default="", help_text="The SKU when ordered.", max_length=64),
        ),
        migrations.AddField(
            model_name="orderline",
            name="attributes",
            field=models.JSONField(
                blank=True, default=dict, help_text="The variant's attribute values when ordered."
            ),
        ),
        migrations.RunPython(point_at_default_variants, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="basketline",
            name="variant",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="catalog.variant",
            ),
        ),
        migrations.AlterField(
            model_name="orderline",
            name="variant",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="catalog.variant",
            ),
        ),
        migrations.RemoveConstraint(model_name="basketline", name="basket_line_unique_product"),
        migrations.AddConstraint(
            model_name="basketline",
            constraint=models.UniqueConstraint(
                fields=("basket", "variant"), name="basket_line_unique_variant"
            ),
        ),
        migrations.RemoveConstraint(model_name="orderline", name="order_line_unique_product"),
        migrations.AddConstraint(
            model_name="orderline",
            constraint=models.UniqueConstraint(
                fields=("order", "variant"), name="order_line_unique_variant"
            ),
        ),
    ]
