"""The tools an agent can be given, by the name the model calls them with.

`FILE_TOOLS` holds the tools that act on files and the task list; the shell and
delegation tools are added beside them where they are defined.
"""

from __future__ import annotations

from workbench.engine.tools.base import Tool
from workbench.engine.tools.edit import Edit, MultiEdit
from workbench.engine.tools.grep import Grep
from workbench.engine.tools.read import Read
from workbench.engine.tools.search import LS, Glob
from workbench.engine.tools.todos import TodoWrite
from workbench.engine.tools.write import Write

FILE_TOOLS: dict[str, Tool] = {
    tool.name: tool
    for tool in (Read(), Write(), Edit(), MultiEdit(), Glob(), Grep(), LS(), TodoWrite())
}
