from rootconf import *  # noqa: F401,F403

briefing_cited_docs = ["index", "chapters/*", "sources/*"]
