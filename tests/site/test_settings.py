from tests.prod_settings import manage_prod


def test_production_refuses_to_start_without_a_secret_key():
    result = manage_prod("check", ALLOWED_HOSTS="kb.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_the_development_key():
    result = manage_prod("check", SECRET_KEY="django-insecure-development-only-key-do-not-deploy" * 2,
                         ALLOWED_HOSTS="kb.example.org")
    assert result.returncode != 0


def test_production_check_deploy_is_clean():
    result = manage_prod("check", "--deploy", "--fail-level", "WARNING",
                         SECRET_KEY="x" * 20 + "a-real-random-production-secret-key-0123456789",
                         ALLOWED_HOSTS="kb.example.org")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
