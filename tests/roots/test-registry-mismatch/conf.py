from rootconf import *  # noqa: F401,F403
