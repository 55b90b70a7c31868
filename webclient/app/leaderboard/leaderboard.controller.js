/**
 * LeaderboardController: the list of systems. The API gives every system with its figures for
 * the window; sorting, the status filter and the name search happen here, in the browser, so
 * they are instant and need no new request. All three live in the URL (?sort=, ?status=, ?q=)
 * like the window, so a filtered list can be bookmarked.
 */
(function () {
    'use strict';

    // The API's own default order: worst status first, then the lowest score.
    var DEFAULT_SORT = 'severity';

    angular.module('radar.leaderboard').controller('LeaderboardController', LeaderboardController);

    LeaderboardController.$inject = ['$scope', '$location', '$q', 'radarApi', 'viewState',
        'refresher', 'loadState', 'format', 'catalogue'];
    function LeaderboardController($scope, $location, $q, radarApi, viewState, refresher,
                                   loadState, format, catalogue) {
        var vm = this;
        var trendGeneration = 0;
        var label = catalogue.label;

        // `first` is the direction a first click sorts in: the "best" or most useful end.
        // Labels come from the server's catalogue (GET /v1/figures).
        vm.columns = [
            {key: 'name', label: function () { return 'System'; }, first: '', value: function (s) { return s.name.toLowerCase(); }},
            {key: 'severity', label: function () { return label('status'); }, first: '', value: severity},
            {key: 'status_since', label: function () { return label('status_since'); }, first: '-', value: function (s) { return time(s.health.status_since); }},
            {key: 'score', label: function () { return label('score'); }, first: '-', value: function (s) { return s.health.score; }},
            {key: 'coverage', label: function () { return label('coverage'); }, first: '-', value: function (s) { return s.health.coverage; }},
            {key: 'timeliness', label: function () { return label('timeliness'); }, first: '-', value: function (s) { return s.health.timeliness; }},
            {key: 'success_rate', label: function () { return label('success_rate'); }, first: '-', value: function (s) { return s.health.success_rate; }},
            {key: 'latency_p50_s', label: function () { return label('latency_p50_s'); }, first: '', value: function (s) { return s.stats.latency_p50_s; }},
            {key: 'last_report_at', label: function () { return label('last_report_at'); }, first: '-', value: function (s) { return time(s.stats.last_report_at); }}
        ];
        vm.statuses = catalogue.statuses;
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

        /**
         * Three requests in parallel, whatever the number of systems: the list, every
         * system's trend (one call) and the catalogue (once per page life).
         */
        function load() {
            var trends = loadTrends();
            return vm.state.run(function () {
                return $q.all([radarApi.systems(viewState.apiParams()), catalogue.load()])
                    .then(function (answers) {
                        return answers[0];
                    });
            }, function (body) {
                vm.window = body.window;
                vm.systems = body.systems;
                summarise();
                applyView();
            }).then(function () {
                return trends;
            });
        }

        function severity(s) {
            var score = s.health.score;
            // rank, then the lowest score, no score last (radar_core.documents.severity_key).
            return catalogue.rank(s.health.status) * 1000 + (score === null || score === undefined ? 999 : score);
        }

        /** Status counts and the "needs attention" list, over every system. */
        function summarise() {
            vm.counts = {};
            vm.systems.forEach(function (s) {
                vm.counts[s.health.status] = (vm.counts[s.health.status] || 0) + 1;
            });
            vm.attention = vm.systems.filter(function (s) {
                return s.health.status === 'failing' || s.health.status === 'silent';
            }).sort(function (a, b) {
                return severity(a) - severity(b);
            }).map(function (s) {
                return {system: s, why: whyAttention(s)};
            });
        }

        function whyAttention(s) {
            var t = catalogue.thresholds;
            if (s.health.status === 'silent') {
                return 'last report ' + format.timeAgo(s.stats.last_report_at) +
                    ', while new patchsets keep coming';
            }
            if (s.health.score !== null && s.health.score < t.score_failing_below) {
                return 'score ' + s.health.score + ' (below ' + t.score_failing_below + ')';
            }
            return 'no successful report for ' + format.duration(t.unsupported_after_s) +
                ' or more (last success ' + format.timeAgo(s.stats.last_success_at) + ')';
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
            })[0] || vm.columns[1];
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

        /** Daily scores for the sparklines, every system in one request; a failure just
         * leaves the lines out. */
        function loadTrends() {
            var generation = ++trendGeneration;
            var params = viewState.trendParams();
            vm.trendBucket = params.bucket;
            vm.trendDays = params.window === '7d' && viewState.current().window === '24h' ? 7 : null;
            return radarApi.trends(params).then(function (body) {
                if (generation !== trendGeneration) {
                    return;
                }
                var trends = {};
                body.trends.forEach(function (t) {
                    trends[t.system.id] = t.points.map(function (p) {
                        return p.score;
                    });
                });
                vm.trends = trends;
                vm.trendsLoaded = true;
            }, angular.noop);
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
