"""The web chat's parts that need no Gradio: the conversation and its export, the briefing viewer,
and managing the corpus folder. `app.py` lays out the page and wires them to it."""
