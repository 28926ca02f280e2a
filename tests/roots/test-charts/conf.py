from rootconf import *  # noqa: F401,F403

extensions = extensions + ["briefing_charts", "briefing_a11y"]  # noqa: F405
html_theme = "furo"  # the book's theme, whose page markup briefing_a11y adjusts
