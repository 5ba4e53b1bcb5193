from servicelayer.errors import Conflict, InvalidInput, NotFound


class ProductNotFound(NotFound):
    code = "product_not_found"
    default_message = "There is no such product, or it is no longer sold."


class OutOfStock(Conflict):
    code = "out_of_stock"
    default_message = "There is not enough stock for this quantity."


class InsufficientStock(Conflict):
    code = "insufficient_stock"
    default_message = "Stock cannot go below zero."


class StockLimitExceeded(InvalidInput):
    code = "stock_limit_exceeded"
    default_message = "Stock cannot go above its limit."


class CategoryNotFound(NotFound):
    code = "category_not_found"
    default_message = "There is no such category."


class CategorySlugTaken(Conflict):
    code = "category_slug_taken"
    default_message = "Another category has this slug."


class CategoryCycle(InvalidInput):
    code = "category_cycle"
    default_message = "A category cannot be moved under itself or one of its descendants."


class CategoryTooDeep(InvalidInput):
    code = "category_too_deep"
    default_message = "The category tree would grow deeper than it may."


class CategoryArchived(Conflict):
    code = "category_archived"
    default_message = "This category is archived: products and subcategories cannot go in it."


class AttributeNotFound(InvalidInput):
    code = "attribute_unknown"
    default_message = "There is no attribute with this code."


class AttributeMissing(NotFound):
    code = "attribute_not_found"
    default_message = "There is no such attribute."


class AttributeArchived(Conflict):
    code = "attribute_archived"
    default_message = "This attribute is archived: it takes no new values."


class AttributeCodeTaken(Conflict):
    code = "attribute_code_taken"
    default_message = "Another attribute has this code."


class ImageNotFound(NotFound):
    code = "image_not_found"
    default_message = "This product has no such image."


class ImageTooLarge(InvalidInput):
    code = "image_too_large"
    default_message = "The image is larger than accepted."


class ImageNotAccepted(InvalidInput):
    code = "image_type_not_accepted"
    default_message = "The file is not a JPEG, PNG or WebP image, or it is damaged."


class ImageLimitReached(Conflict):
    code = "image_limit_reached"
    default_message = "This product has as many images as it may."


class ImageOrderMismatch(InvalidInput):
    code = "image_order_mismatch"
    default_message = "Name every image of the product exactly once."


class VariantNotFound(NotFound):
    code = "variant_not_found"
    default_message = "This product has no such variant, or it is no longer sold."


class VariantRequired(InvalidInput):
    code = "variant_required"
    default_message = "This product comes in several variants: name one (`variant_id`)."


class SkuTaken(Conflict):
    code = "sku_taken"
    default_message = "Another variant has this SKU."


class LastActiveVariant(Conflict):
    code = "last_active_variant"
    default_message = "A product keeps at least one active variant: archive the product instead."
