/**
 * ChangeController: the patchset-by-system grid of one change. Each cell links to
 * ?report=<id>, which opens that report with its jobs under the grid, so a cell can be
 * bookmarked and shared like the rest.
 */
(function () {
    'use strict';

    angular.module('radar.change').controller('ChangeController', ChangeController);

    ChangeController.$inject = ['$scope', '$location', '$routeParams', 'radarApi', 'viewState',
        'refresher', 'loadState'];
    function ChangeController($scope, $location, $routeParams, radarApi, viewState, refresher,
                              loadState) {
        var vm = this;
        vm.number = $routeParams.number || null;
        vm.query = vm.number || '';
        vm.state = loadState.create();
        vm.link = viewState.link;
        vm.search = search;
        vm.cellLink = cellLink;
        vm.systemName = systemName;

        if (vm.number) {
            load();
            refresher.watch($scope, load);
        }
        $scope.$on('$routeUpdate', selectReport);

        function search() {
            var number = String(vm.query || '').trim();
            if (!/^\d+$/.test(number)) {
                vm.queryError = 'A change number is digits only, e.g. 12345.';
                return;
            }
            vm.queryError = null;
            $location.path('/changes/' + number).search('report', null);
        }

        function load() {
            vm.state.run(function () {
                return radarApi.change(vm.number);
            }, function (change) {
                vm.change = change;
                index(change);
                selectReport();
            });
        }

        /**
         * The grid: one row per patchset (newest on top), one cell per system (its latest
         * report, or null); and every report by id, for ?report=.
         */
        function index(change) {
            vm.byReport = {};
            vm.rows = change.patchsets.slice().reverse().map(function (ps) {
                var bySystem = {};
                ps.results.forEach(function (result) {
                    bySystem[result.system_id] = result;
                    vm.byReport[result.report_id] = {result: result, patchset: ps};
                });
                return {
                    patchset: ps,
                    cells: change.systems.map(function (s) {
                        return {system: s, result: bySystem[s.id] || null};
                    })
                };
            });
        }

        function selectReport() {
            var id = $location.search().report;
            vm.selected = id && vm.byReport ? (vm.byReport[id] || null) : null;
            vm.selectedMissing = Boolean(id && vm.byReport && !vm.selected);
        }

        function cellLink(result) {
            return vm.link('/changes/' + vm.number, {report: result.report_id});
        }

        function systemName(id) {
            var found = (vm.change ? vm.change.systems : []).filter(function (s) {
                return s.id === id;
            })[0];
            return found ? found.name : String(id);
        }
    }
})();
