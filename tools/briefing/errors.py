"""The one error type of the book's data: a defect with the file and line it sits on."""


class LocatedError(ValueError):
    def __init__(self, location: str, message: str):
        super().__init__(f"{location}: {message}")
        self.location = location  # "path" or "path:line", relative to the book's root
        self.message = message
