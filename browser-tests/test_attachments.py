"""Attachments in a real (headless) browser, without JavaScript: the police attach a small PDF to
one of their reports through the page's upload form and see it listed with a download link; a
".pdf" that is not a PDF is refused beside the file field. axe on both pages; screenshots
attachments-*.png.
"""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path
from urllib.parse import urlparse

from selenium.webdriver.common.by import By

from conftest import POLICE, SCREENSHOTS, axe_check, by_id, click_and_wait, current_path, document_status, login, open_page

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def first_report_path(driver) -> str:
    open_page(driver, "/reports")
    link = driver.find_element(By.CSS_SELECTOR, "table a[href^='/reports/DP-']")
    return urlparse(link.get_attribute("href")).path


def test_attach_a_pdf_to_a_report(new_browser):
    police = new_browser()
    login(police, POLICE)
    report = first_report_path(police)
    open_page(police, report)
    assert by_id(police, "attachments-heading").is_displayed()
    folder = Path(tempfile.mkdtemp(prefix="doorpak-attach-"))

    # A ".pdf" whose bytes are not a PDF: refused in place, the field marked invalid.
    fake = folder / "niet-echt.pdf"
    fake.write_bytes(b"<html>geen pdf</html>")
    by_id(police, "attachment-file").send_keys(str(fake))
    click_and_wait(police, by_id(police, "attachment-submit"))
    assert document_status(police) == 422
    assert by_id(police, "file-error").is_displayed()
    assert by_id(police, "attachment-file").get_attribute("aria-invalid") == "true"
    axe_check(police)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    police.save_screenshot(str(SCREENSHOTS / "attachments-refused.png"))

    name = f"zorgplan-{uuid.uuid4().hex[:6]}.pdf"
    real = folder / name
    real.write_bytes(PDF)
    by_id(police, "attachment-file").send_keys(str(real))
    click_and_wait(police, by_id(police, "attachment-submit"))
    assert current_path(police) == report
    table = by_id(police, "attachments-table")
    row = next(r for r in table.find_elements(By.CSS_SELECTOR, "tbody tr") if name in r.text)
    link = row.find_element(By.CSS_SELECTOR, "a")
    assert urlparse(link.get_attribute("href")).path.startswith(f"{report}/attachments/")
    assert "PDF" in row.text
    axe_check(police)
    police.save_screenshot(str(SCREENSHOTS / "attachments-listed.png"))
