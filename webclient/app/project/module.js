/** radar.project: a page per Gerrit project: which CI systems watch it, and how they do there. */
(function () {
    'use strict';

    angular.module('radar.project', ['ngRoute', 'radar.core']).config(routes);

    routes.$inject = ['$routeProvider'];
    function routes($routeProvider) {
        var route = {
            templateUrl: 'app/project/project.html',
            controller: 'ProjectController',
            controllerAs: 'vm',
            reloadOnSearch: false
        };
        // Project names have slashes (openstack/nova): the rest of the path is the name.
        $routeProvider.when('/projects', route).when('/projects/:name*', route);
    }
})();
