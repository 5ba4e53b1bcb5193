"""Full-text and trigram search on PostgreSQL; nothing on other databases (SQLite searches
with the fallback in apps/catalog/search.py and still migrates).

`search_vector` is a stored generated column over the product's own columns (name weighted A,
category names and attribute values B, description C), kept by PostgreSQL on every write,
bulk loads and COPY included; the category and attribute columns are kept by the services.
The ORM does not know the column (Django never writes it); apps/catalog/search.py reads it.
"""

from django.db import migrations

VECTOR = (
    "setweight(to_tsvector('english', coalesce(name, '')), 'A') || "
    "setweight(to_tsvector('english', coalesce(search_category, '')), 'B') || "
    "setweight(to_tsvector('english', coalesce(search_attributes, '')), 'B') || "
    "setweight(to_tsvector('english', coalesce(description, '')), 'C')"
)

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    f"ALTER TABLE catalog_product ADD COLUMN search_vector tsvector "
    f"GENERATED ALWAYS AS ({VECTOR}) STORED",
    "CREATE INDEX product_search_vector ON catalog_product USING gin (search_vector)",
    "CREATE INDEX product_name_trgm ON catalog_product USING gin (name gin_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS product_name_trgm",
    "DROP INDEX IF EXISTS product_search_vector",
    "ALTER TABLE catalog_product DROP COLUMN IF EXISTS search_vector",
]


def _run(statements: list[str]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("catalog", "0003_tree_attributes_images")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD), elidable=False)]
