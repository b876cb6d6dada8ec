"""Alembic environment: migrations run on the connection the application hands over."""

from alembic import context

import desktop.models  # noqa: F401  (registers every table on Base.metadata)
from desktop.models.base import Base

target_metadata = Base.metadata


def run_migrations() -> None:
    """Run migrations on the connection given in the config, or on a URL for autogenerate."""
    connection = context.config.attributes.get("connection")
    if connection is None:
        from sqlalchemy import create_engine

        url = context.config.get_main_option("sqlalchemy.url")
        with create_engine(url).connect() as conn:
            context.configure(
                connection=conn, target_metadata=target_metadata, render_as_batch=True
            )
            with context.begin_transaction():
                context.run_migrations()
        return
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
