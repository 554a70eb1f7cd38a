"""pdbulk commands of the job kinds (registered on bulk.cli.app)."""

from bulk.cli import app, plan_app  # noqa: F401
