"""Categories (a tree), attributes and the product's detail: services, then REST."""

import pytest

from apps.catalog.dto import (
    CategoryChanges,
    CategoryRef,
    NewAttribute,
    NewCategory,
    NewProduct,
    ProductAttributes,
    ProductChanges,
)
from apps.catalog.errors import (
    AttributeCodeTaken,
    AttributeNotFound,
    CategoryArchived,
    CategoryCycle,
    CategoryNotFound,
    CategorySlugTaken,
    CategoryTooDeep,
)
from apps.catalog.models import MAX_CATEGORY_DEPTH, Category, Product
from apps.catalog.services import (
    attribute_create,
    category_archive,
    category_create,
    category_update,
    product_attributes_set,
    product_create,
    product_update,
)
from servicelayer.errors import Forbidden

LIST = "/api/products/"


def new_category(merchant, name, parent=None):
    slug = name.lower().replace(" ", "-")
    return category_create(actor=merchant, data=NewCategory(name=name, slug=slug, parent_id=parent))


@pytest.fixture
def tree(merchant):
    """Home > Lighting > Lanterns, and Garden."""
    home = new_category(merchant, "Home")
    lighting = new_category(merchant, "Lighting", home.id)
    lanterns = new_category(merchant, "Lanterns", lighting.id)
    garden = new_category(merchant, "Garden")
    return {"home": home, "lighting": lighting, "lanterns": lanterns, "garden": garden}


def test_categories_form_a_tree_with_materialized_paths(tree):
    assert tree["home"].path == f"/{tree['home'].id}/"
    assert tree["lanterns"].path == f"{tree['lighting'].path}{tree['lanterns'].id}/"
    assert (tree["home"].depth, tree["lighting"].depth, tree["lanterns"].depth) == (1, 2, 3)
    assert tree["lanterns"].parent_id == tree["lighting"].id


def test_only_merchants_create_categories(shopper):
    with pytest.raises(Forbidden):
        new_category(shopper, "Home")


def test_category_errors(merchant, tree):
    with pytest.raises(CategorySlugTaken):
        new_category(merchant, "Home")
    with pytest.raises(CategoryNotFound):
        new_category(merchant, "Orphan", 987654)
    with pytest.raises(CategoryCycle):
        category_update(
            actor=merchant,
            data=CategoryChanges(category_id=tree["home"].id, parent_id=tree["lanterns"].id),
        )
    parent = tree["lanterns"].id
    for depth in range(4, MAX_CATEGORY_DEPTH + 1):
        parent = new_category(merchant, f"Level {depth}", parent).id
    with pytest.raises(CategoryTooDeep):
        new_category(merchant, "Too deep", parent)
    with pytest.raises(CategoryTooDeep):  # moving Home under Garden makes the chain too deep
        category_update(
            actor=merchant,
            data=CategoryChanges(category_id=tree["home"].id, parent_id=tree["garden"].id),
        )
    category_archive(actor=merchant, data=CategoryRef(category_id=tree["garden"].id))
    with pytest.raises(CategoryArchived):
        new_category(merchant, "Sheds", tree["garden"].id)


def test_moving_a_category_moves_its_subtree(merchant, tree):
    moved = category_update(
        actor=merchant,
        data=CategoryChanges(category_id=tree["lighting"].id, parent_id=tree["garden"].id),
    )
    assert moved.path == f"{tree['garden'].path}{tree['lighting'].id}/"
    lanterns = Category.objects.get(pk=tree["lanterns"].id)
    assert lanterns.path == f"{moved.path}{lanterns.pk}/"
    assert lanterns.depth == 3
    top = category_update(
        actor=merchant, data=CategoryChanges(category_id=tree["lighting"].id, parent_id=None)
    )
    assert (top.path, top.depth, top.parent_id) == (f"/{top.id}/", 1, None)
    assert Category.objects.get(pk=lanterns.pk).depth == 2


def test_archiving_a_category_archives_its_subtree(merchant, tree):
    category_archive(actor=merchant, data=CategoryRef(category_id=tree["lighting"].id))
    active = dict(Category.objects.values_list("name", "is_active"))
    assert active == {"Home": True, "Lighting": False, "Lanterns": False, "Garden": True}


def test_a_product_in_a_category_with_attributes(merchant, tree):
    attribute_create(actor=merchant, data=NewAttribute(code="colour", name="Colour"))
    product = product_create(
        actor=merchant,
        data=NewProduct(
            name="Storm lantern",
            price="24.00",
            category_id=tree["lanterns"].id,
            attributes={"colour": "brass"},
        ),
    )
    assert product.category is not None
    assert product.category.name == "Lanterns"
    assert [(a.code, a.value) for a in product.attributes] == [("colour", "brass")]
    stored = Product.objects.get(pk=product.id)
    assert stored.search_category == "Home Lighting Lanterns"
    assert stored.search_attributes == "brass"
    with pytest.raises(AttributeNotFound):
        product_create(
            actor=merchant, data=NewProduct(name="X", price="1", attributes={"size": "m"})
        )
    with pytest.raises(AttributeCodeTaken):
        attribute_create(actor=merchant, data=NewAttribute(code="colour", name="Color"))


def test_attribute_values_are_set_and_removed(merchant, make_product):
    attribute_create(actor=merchant, data=NewAttribute(code="colour", name="Colour"))
    attribute_create(actor=merchant, data=NewAttribute(code="size", name="Size"))
    product = make_product("Shirt")
    out = product_attributes_set(
        actor=merchant,
        data=ProductAttributes(product_id=product.pk, values={"colour": "red", "size": "M"}),
    )
    assert {a.code: a.value for a in out.attributes} == {"colour": "red", "size": "M"}
    out = product_attributes_set(
        actor=merchant,
        data=ProductAttributes(product_id=product.pk, values={"colour": "blue", "size": None}),
    )
    assert {a.code: a.value for a in out.attributes} == {"colour": "blue"}
    assert Product.objects.get(pk=product.pk).search_attributes == "blue"


def test_renaming_or_moving_a_category_renames_what_search_reads(merchant, tree, make_product):
    product = make_product("Storm lantern")
    product_update(
        actor=merchant, data=ProductChanges(product_id=product.pk, category_id=tree["lanterns"].id)
    )
    category_update(actor=merchant, data=CategoryChanges(category_id=tree["home"].id, name="House"))
    assert Product.objects.get(pk=product.pk).search_category == "House Lighting Lanterns"
    category_update(
        actor=merchant, data=CategoryChanges(category_id=tree["lighting"].id, parent_id=None)
    )
    assert Product.objects.get(pk=product.pk).search_category == "Lighting Lanterns"
    out = product_update(
        actor=merchant, data=ProductChanges(product_id=product.pk, category_id=None)
    )
    assert out.category is None
    assert Product.objects.get(pk=product.pk).search_category == ""


# -- REST ----------------------------------------------------------------------------------


def names(response):
    assert response.status_code == 200, response.json()
    return sorted(p["name"] for p in response.json()["results"])


def test_a_category_lists_its_descendants_products(
    api, merchant, tree, make_product, django_assert_max_num_queries
):
    for name, category in [("Lantern", "lanterns"), ("Lamp", "lighting"), ("Sofa", "home")]:
        make_product(name, category_id=tree[category].id)
    make_product("Spade", category_id=tree["garden"].id)
    make_product("Loose")
    client = api(None)
    assert names(client.get(LIST, {"category_id": tree["home"].id})) == ["Lamp", "Lantern", "Sofa"]
    assert names(client.get(LIST, {"category_id": tree["lighting"].id})) == ["Lamp", "Lantern"]
    assert names(client.get(LIST, {"category_id": tree["garden"].id})) == ["Spade"]
    # the category's path, then the page: two queries, whatever the depth
    with django_assert_max_num_queries(2):
        client.get(LIST, {"category_id": tree["home"].id})
    response = client.get(LIST, {"category_id": 987654})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "category_not_found"
    category_archive(actor=merchant, data=CategoryRef(category_id=tree["garden"].id))
    assert client.get(LIST, {"category_id": tree["garden"].id}).status_code == 404
    assert names(api(merchant).get(LIST, {"category_id": tree["garden"].id})) == ["Spade"]


def test_category_routes(api, merchant, shopper):
    client = api(merchant)
    response = client.post("/api/categories/", {"name": "Home", "slug": "home"}, format="json")
    assert response.status_code == 201, response.json()
    home = response.json()
    child = client.post(
        "/api/categories/",
        {"name": "Kitchen", "slug": "kitchen", "parent_id": home["id"]},
        format="json",
    ).json()
    assert child["path"] == f"/{home['id']}/{child['id']}/"
    listed = api(None).get("/api/categories/").json()
    assert [c["slug"] for c in listed] == ["home", "kitchen"]
    assert api(None).get(f"/api/categories/{child['id']}/").json()["depth"] == 2
    renamed = client.patch(f"/api/categories/{child['id']}/", {"name": "Cooking"}, format="json")
    assert renamed.json()["name"] == "Cooking"
    again = client.post("/api/categories/", {"name": "Home", "slug": "home"}, format="json")
    assert (again.status_code, again.json()["error"]["code"]) == (409, "category_slug_taken")
    bad = client.post("/api/categories/", {"name": "X", "slug": "Not A Slug"}, format="json")
    assert bad.status_code == 400
    assert api(shopper).post("/api/categories/", {"name": "Y", "slug": "y"}).status_code == 403
    archived = client.post(f"/api/categories/{home['id']}/archive/")
    assert archived.json()["is_active"] is False
    assert api(None).get("/api/categories/").json() == []
    assert api(None).get(f"/api/categories/{home['id']}/").status_code == 404


def test_attribute_routes_and_filter(api, merchant, make_product):
    client = api(merchant)
    assert client.post("/api/attributes/", {"code": "colour", "name": "Colour"}).status_code == 201
    assert [a["code"] for a in api(None).get("/api/attributes/").json()] == ["colour"]
    red, blue = make_product("Red mug"), make_product("Blue mug")
    make_product("Plain mug")
    for product, colour in [(red, "red"), (blue, "blue")]:
        response = client.put(
            f"/api/products/{product.pk}/attributes/",
            {"values": {"colour": colour}},
            format="json",
        )
        assert response.status_code == 200, response.json()
    assert names(api(None).get(LIST, {"attribute": "colour:red"})) == ["Red mug"]
    assert names(api(None).get(LIST, {"attribute": "colour:RED"})) == []  # as given
    assert names(api(None).get(LIST, {"attribute": "colour:green"})) == []
    bad = api(None).get(LIST, {"attribute": "colour"})
    assert (bad.status_code, list(bad.json()["error"]["fields"])) == (400, ["attribute"])
    unknown = client.put(
        f"/api/products/{red.pk}/attributes/", {"values": {"size": "m"}}, format="json"
    )
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (400, "attribute_unknown")
    detail = api(None).get(f"/api/products/{red.pk}/").json()
    assert detail["attributes"] == [{"code": "colour", "name": "Colour", "value": "red"}]
    assert detail["category"] is None
    assert detail["images"] == []


def test_product_create_and_update_take_a_category(api, merchant, tree):
    client = api(merchant)
    payload = {"name": "Lamp", "price": "30.00", "category_id": tree["lighting"].id}
    created = client.post(LIST, payload, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["category"]["id"] == tree["lighting"].id
    pk = created.json()["id"]
    moved = client.patch(f"/api/products/{pk}/", {"category_id": None}, format="json")
    assert moved.json()["category"] is None
    missing = client.patch(f"/api/products/{pk}/", {"category_id": 987654}, format="json")
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "category_not_found")
