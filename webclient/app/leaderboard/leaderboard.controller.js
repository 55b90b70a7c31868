/**
 * LeaderboardController: the list of systems. The API gives every system with its figures for
 * the window; sorting, the status filter and the name search happen here, in the browser, so
 * they are instant and need no new request. All three live in the URL (?sort=, ?status=, ?q=)
 * like the window, so a filtered list can be bookmarked.
 */
(function () {
    'use strict';

    var DEFAULT_SORT = '-score';
    // Sparkline requests run a few at a time, not one burst per system.
    var TREND_CONCURRENCY = 4;

    angular.module('radar.leaderboard').controller('LeaderboardController', LeaderboardController);

    LeaderboardController.$inject = ['$scope', '$location', 'radarApi', 'viewState', 'refresher',
        'loadState', 'format', 'STATUSES'];
    function LeaderboardController($scope, $location, radarApi, viewState, refresher, loadState,
                                   format, STATUSES) {
        var vm = this;
        var statusRank = {};
        var trendGeneration = 0;
        STATUSES.forEach(function (s, i) {
            statusRank[s.key] = i;
        });

        // `first` is the direction a first click sorts in: the "best" or most useful end.
        vm.columns = [
            {key: 'name', label: 'System', first: '', value: function (s) { return s.name.toLowerCase(); }},
            {key: 'status', label: 'Status', first: '', value: function (s) { return statusRank[s.health.status]; }},
            {key: 'score', label: 'Score', first: '-', value: function (s) { return s.health.score; }},
            {key: 'coverage', label: 'Coverage', first: '-', value: function (s) { return s.health.coverage; }},
            {key: 'timeliness', label: 'Timeliness', first: '-', value: function (s) { return s.health.timeliness; }},
            {key: 'success_rate', label: 'Success', first: '-', value: function (s) { return s.health.success_rate; }},
            {key: 'latency_p50_s', label: 'Latency p50', first: '', value: function (s) { return s.stats.latency_p50_s; }},
            {key: 'last_report_at', label: 'Last report', first: '-', value: function (s) { return time(s.stats.last_report_at); }}
        ];
        vm.statuses = STATUSES;
        vm.state = loadState.create();
        vm.systems = [];
        vm.rows = [];
        vm.trends = {};
        vm.counts = {};
        vm.attention = [];
        vm.link = viewState.link;

        vm.sortBy = sortBy;
        vm.sortState = sortState;
        vm.toggleStatus = toggleStatus;
        vm.clearFilters = clearFilters;
        vm.searchChanged = searchChanged;
        vm.filtered = filtered;
        vm.trendTitle = trendTitle;

        readQuery();
        load();
        refresher.watch($scope, load);
        viewState.onChange($scope, load);
        // Back/forward through sort and filter changes.
        $scope.$on('$routeUpdate', function () {
            readQuery();
            applyView();
        });

        function load() {
            return vm.state.run(function () {
                return radarApi.systems(viewState.apiParams());
            }, function (body) {
                vm.window = body.window;
                vm.systems = body.systems;
                summarise();
                applyView();
                loadTrends(body.systems);
            });
        }

        /** Status counts and the "needs attention" list, over every system. */
        function summarise() {
            vm.counts = {};
            vm.systems.forEach(function (s) {
                vm.counts[s.health.status] = (vm.counts[s.health.status] || 0) + 1;
            });
            vm.attention = vm.systems.filter(function (s) {
                return s.health.status === 'failing' || s.health.status === 'silent';
            }).map(function (s) {
                return {system: s, why: whyAttention(s)};
            });
        }

        function whyAttention(s) {
            if (s.health.status === 'silent') {
                return 'last report ' + format.timeAgo(s.stats.last_report_at) +
                    ', while new patchsets keep coming';
            }
            if (s.health.score !== null && s.health.score < 50) {
                return 'score ' + s.health.score + ' (below 50)';
            }
            return 'no successful report for a long time (last success ' +
                format.timeAgo(s.stats.last_success_at) + ')';
        }

        /** The rows on screen: filtered by status and name, then sorted. */
        function applyView() {
            var wanted = vm.statusFilter;
            var needle = (vm.query || '').trim().toLowerCase();
            var column = columnOf(vm.sort);
            var descending = vm.sort.charAt(0) === '-';
            vm.rows = vm.systems.filter(function (s) {
                return (!wanted.length || wanted.indexOf(s.health.status) >= 0) &&
                    (!needle || s.name.toLowerCase().indexOf(needle) >= 0 ||
                     (s.username || '').toLowerCase().indexOf(needle) >= 0);
            }).sort(function (a, b) {
                return compare(column.value(a), column.value(b), descending) ||
                    compare(a.name.toLowerCase(), b.name.toLowerCase(), false);
            });
        }

        /** Ascending or descending, and missing values last either way (like the API). */
        function compare(x, y, descending) {
            var xMissing = x === null || x === undefined;
            var yMissing = y === null || y === undefined;
            if (xMissing || yMissing) {
                return xMissing === yMissing ? 0 : (xMissing ? 1 : -1);
            }
            var order = x < y ? -1 : (x > y ? 1 : 0);
            return descending ? -order : order;
        }

        function columnOf(sort) {
            var key = sort.replace(/^-/, '');
            return vm.columns.filter(function (c) {
                return c.key === key;
            })[0] || vm.columns[2];
        }

        function sortBy(column) {
            var sort;
            if (vm.sort.replace(/^-/, '') === column.key) {
                sort = vm.sort.charAt(0) === '-' ? column.key : '-' + column.key;
            } else {
                sort = column.first + column.key;
            }
            $location.search('sort', sort === DEFAULT_SORT ? null : sort);
            vm.sort = sort;
            applyView();
        }

        /** 'ascending' | 'descending' | 'none', for aria-sort and the arrow. */
        function sortState(column) {
            if (vm.sort.replace(/^-/, '') !== column.key) {
                return 'none';
            }
            return vm.sort.charAt(0) === '-' ? 'descending' : 'ascending';
        }

        function toggleStatus(key) {
            var at = vm.statusFilter.indexOf(key);
            if (at >= 0) {
                vm.statusFilter.splice(at, 1);
            } else {
                vm.statusFilter.push(key);
            }
            $location.search('status', vm.statusFilter.length ? vm.statusFilter.join(',') : null);
            applyView();
        }

        function clearFilters() {
            vm.statusFilter = [];
            vm.query = '';
            $location.search('status', null).search('q', null);
            applyView();
        }

        function searchChanged() {
            // replace(): typing a name must not push one history entry per keystroke.
            $location.search('q', vm.query || null).replace();
            applyView();
        }

        function filtered() {
            return vm.statusFilter.length > 0 || Boolean(vm.query);
        }

        function readQuery() {
            var search = $location.search();
            vm.sort = search.sort || DEFAULT_SORT;
            vm.statusFilter = search.status ? String(search.status).split(',') : [];
            vm.query = search.q || '';
        }

        /** Daily scores for the sparklines; failures just leave a line out. */
        function loadTrends(systems) {
            var generation = ++trendGeneration;
            var queue = systems.map(function (s) {
                return s.id;
            });
            var params = viewState.trendParams();
            vm.trendBucket = params.bucket;
            vm.trendDays = params.window === '7d' && viewState.current().window === '24h' ? 7 : null;

            function next() {
                var id = queue.shift();
                if (id === undefined || generation !== trendGeneration) {
                    return;
                }
                return radarApi.trend(id, params).then(function (body) {
                    if (generation === trendGeneration) {
                        vm.trends[id] = body.points.map(function (p) {
                            return p.score;
                        });
                    }
                }, angular.noop).then(next);
            }
            for (var i = 0; i < TREND_CONCURRENCY; i++) {
                next();
            }
        }

        function trendTitle() {
            return (vm.trendBucket === 'week' ? 'Weekly' : 'Daily') + ' score' +
                (vm.trendDays ? ', last 7 days' : '');
        }

        function time(iso) {
            return iso ? Date.parse(iso) : null;
        }
    }
})();
