from tests.e2e.conftest import shot, wait_ready


def test_institutions_page_in_a_real_browser(page, app_url):
    page.goto(app_url)
    wait_ready(page)
    page.get_by_role("heading", name="Institutions").first.wait_for()
    page.locator('[data-testid="stMetricValue"]').nth(2).wait_for()
    metrics = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
    assert metrics[:3] == ["20", "5", "60"]
    page.get_by_text("Followers over time").wait_for()
    page.locator(".js-plotly-plot").first.wait_for(timeout=30_000)
    shot(page, "institutions")
