from rootconf import *  # noqa: F401,F403

myst_enable_extensions = ["colon_fence", "deflist"]
briefing_cited_docs = ["index", "chapters/*", "sources/*"]
