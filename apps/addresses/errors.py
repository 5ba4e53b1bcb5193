from servicelayer.errors import Conflict, NotFound


class AddressNotFound(NotFound):
    code = "address_not_found"
    default_message = "There is no such address in your address book."


class AddressBookFull(Conflict):
    code = "address_book_full"
    default_message = "The address book is full: delete an address first."
