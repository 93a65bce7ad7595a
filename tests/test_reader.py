import pytest


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/search/?q=香港",
        "/posts/城寨新聞/",
        "/tags/rails/",
        "/categories/news/",
        "/authors/老楊/",
    ],
)
def test_every_shareable_reader_path_serves_the_reader_page(client, path):
    response = client.get(path)

    assert response.status_code == 200
    content = response.content.decode()
    assert "reader/reader.js" in content
    assert 'href="/admin/"' in content
    assert 'href="/api/v1/docs/"' in content
