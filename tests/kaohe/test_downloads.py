"""Every download's name: one pattern (kaohe.downloads), in Chinese, RFC 5987-encoded."""

from urllib.parse import quote

from django.http import HttpResponse

from kaohe.downloads import attachment, download_name


def test_download_name_puts_the_year_once_then_department_document_and_detail():
    assert download_name("考核结果", "xlsx", year=2023) == "2023年度考核结果.xlsx"
    assert download_name("自评表", "pdf", year=2023, department="办公室") == "2023年度办公室自评表.pdf"
    assert (
        download_name("民主测评码", "pdf", year=2023, department="组织部", detail="机关全体人员")
        == "2023年度组织部民主测评码（机关全体人员）.pdf"
    )
    assert download_name("考核台帐", "xlsx") == "考核台帐.xlsx"


def test_download_name_replaces_what_a_file_name_cannot_hold():
    assert download_name("自评表", "pdf", year=2023, department='a/b:c*"d"') == "2023年度a_b_c__d_自评表.pdf"


def test_attachment_sends_the_name_rfc_5987_encoded_not_sniffed_not_cached():
    response = attachment(HttpResponse(b"x"), "2023年度考核报告.pdf")

    assert response["Content-Disposition"] == "attachment; filename*=utf-8''" + quote("2023年度考核报告.pdf")
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''2023%E5%B9%B4%E5%BA%A6%E8%80%83%E6%A0%B8%E6%8A%A5%E5%91%8A.pdf"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
