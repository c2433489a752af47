"""A ``skembed-cli`` directive: the help of every sub-command, from the parser itself."""

from docutils import nodes
from sphinx.util.docutils import SphinxDirective


class CliReference(SphinxDirective):
    """Render ``skembed --help`` and each sub-command's help as literal blocks."""

    def run(self):
        from skembed.cli import build_parser

        parser = build_parser()
        sections = [("skembed", parser)]
        choices = parser._subparsers._group_actions[0].choices
        seen = set()
        for name, sub in choices.items():
            if id(sub) not in seen:  # aliases share their parser
                seen.add(id(sub))
                sections.append((f"skembed {name}", sub))
        result = []
        for title, sub in sections:
            section = nodes.section(ids=[nodes.make_id(title)])
            section += nodes.title(text=title)
            help_text = sub.format_help()
            block = nodes.literal_block(help_text, help_text)
            block["language"] = "text"  # no highlighting: the page shows the help as printed
            section += block
            result.append(section)
        return result


def setup(app):
    app.add_directive("skembed-cli", CliReference)
    return {"parallel_read_safe": True}
