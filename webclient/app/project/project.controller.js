/**
 * ProjectController: without a name, every project (GET /v1/projects); with one, the CI
 * systems that watch it, with their figures over that project alone (GET /v1/systems with
 * project=): who has CI on my project, and who reports. A system watches the project when it
 * had patchsets of it to report on, or reported on it, in the window.
 */
(function () {
    'use strict';

    angular.module('radar.project').controller('ProjectController', ProjectController);

    ProjectController.$inject = ['$scope', '$q', '$routeParams', 'radarApi', 'viewState',
        'refresher', 'loadState', 'catalogue'];
    function ProjectController($scope, $q, $routeParams, radarApi, viewState, refresher,
                               loadState, catalogue) {
        var vm = this;
        vm.name = $routeParams.name || null;
        vm.state = loadState.create();
        vm.link = viewState.link;
        vm.label = catalogue.label;
        vm.systems = [];
        vm.projects = [];
        // Each part of the name encoded: a project may hold characters a URL gives meaning to.
        vm.projectPath = function (name) {
            return '/projects/' + String(name).split('/').map(encodeURIComponent).join('/');
        };

        load();
        refresher.watch($scope, load);
        viewState.onChange($scope, load);

        function load() {
            if (!vm.name) {
                return vm.state.run(radarApi.projects, function (body) {
                    vm.projects = body.projects;
                });
            }
            var params = viewState.apiParams();
            params.project = vm.name;
            return vm.state.run(function () {
                return $q.all([radarApi.systems(params), catalogue.load()]).then(function (a) {
                    return a[0];
                });
            }, function (body) {
                vm.window = body.window;
                vm.systems = body.systems.filter(function (s) {
                    return (s.stats.patchsets_eligible || 0) > 0 || (s.stats.reports || 0) > 0;
                });
                vm.counts = {};
                vm.systems.forEach(function (s) {
                    vm.counts[s.health.status] = (vm.counts[s.health.status] || 0) + 1;
                });
            });
        }
    }
})();
