"""Counting what a person does in the browser: clicks and key presses, apart.

A click is a click on a link or button, a radio chosen with the mouse, an option chosen in a
select, a file picked, and a click into a text field to type in it (none when the field
already has the focus, e.g. the sign-in page's first field). Typing text is not counted.
Key presses are the shortcuts used instead of clicks (j/k, 1–4, Esc).
"""

from playwright.sync_api import Locator, Page


class CountingPage:
    def __init__(self, page: Page):
        self.page = page
        self.clicks = 0
        self.keys = 0

    def _locator(self, target) -> Locator:
        return self.page.locator(target) if isinstance(target, str) else target

    def click(self, target) -> None:
        self._locator(target).click()
        self.clicks += 1

    def check(self, target) -> None:
        self._locator(target).check()
        self.clicks += 1

    def select(self, target, value: str) -> None:
        self._locator(target).select_option(value)
        self.clicks += 1

    def pick_file(self, target, path) -> None:
        self._locator(target).set_input_files(str(path))
        self.clicks += 1

    def type_into(self, target, text: str) -> None:
        """Type into a field; a click first unless the field already has the focus."""
        field = self._locator(target)
        if not field.evaluate("el => el === document.activeElement"):
            self.clicks += 1
        field.fill(text)

    def type_here(self, text: str) -> None:
        """Type into the focused field (reached with the keyboard)."""
        assert self.page.evaluate("['TEXTAREA', 'INPUT'].includes(document.activeElement.tagName)")
        self.page.keyboard.insert_text(text)

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)
        self.keys += 1
