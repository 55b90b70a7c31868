"""``/v1/projects``: the Gerrit projects Radar has seen."""

import pecan
from wsme import types as wtypes

from radar_api.controllers.v1 import types
from radar_api.controllers.v1.base import Resource
from radar_api.expose import expose


class Project(types.Base):
    """A Gerrit project and how much Radar knows of it."""

    name = wtypes.text
    changes = int
    patchsets = int
    systems = int
    """CI systems that reported on the project."""

    @classmethod
    def sample(cls):
        return cls(name="openstack/nova", changes=120, patchsets=310, systems=7)


class ProjectCollection(types.Base):
    """Every project, sorted by name."""

    projects = [Project]

    @classmethod
    def sample(cls):
        return cls(projects=[Project.sample()])


class ProjectsController(Resource):
    @expose(ProjectCollection)
    def get_all(self):
        """Every project, sorted by name.

        Example: ``curl http://radar.example.org/v1/projects``
        """
        return ProjectCollection.from_dict(pecan.request.radar.projects())
