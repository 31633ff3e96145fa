def banner(text):
    return f"== {text} =="


from textutils import *  # noqa: E402,F403

print(banner(shout("deploy finished")))
print(whisper("QUIET"))
