/**
 * CompareController: two to four systems side by side. The figures come from the one systems
 * list (already computed for the window), the trends from each system's trend, drawn on one
 * chart. The chosen systems and metric are in the URL (?systems=101,103&metric=score).
 */
(function () {
    'use strict';

    var MAX = 4;
    var MIN = 2;

    angular.module('radar.compare').controller('CompareController', CompareController);

    CompareController.$inject = ['$scope', '$location', '$q', 'radarApi', 'viewState', 'refresher',
        'loadState', 'chartTheme', 'format', 'catalogue'];
    function CompareController($scope, $location, $q, radarApi, viewState, refresher, loadState,
                               chartTheme, format, catalogue) {
        var vm = this;
        // Labels and which end is better come from the server's catalogue (/v1/figures):
        // `better` highlights the best system on each row.
        vm.figures = [
            figure('score', h, format.score), figure('coverage', h, format.percent),
            figure('timeliness', h, format.percent), figure('success_rate', h, format.percent),
            figure('stability', h, format.percent), figure('reports', st, plain),
            figure('patchsets_reported', st, plain), figure('latency_p50_s', st, format.duration),
            figure('latency_p90_s', st, format.duration), figure('rechecks', st, plain),
            figure('flaky_patchsets', st, plain), figure('agreement', st, format.percent),
            figure('false_failure_rate', st, format.percent),
            figure('last_report_at', st, format.timeAgo, true)
        ];
        vm.metrics = ['score', 'success_rate', 'coverage', 'timeliness', 'stability'].map(function (key) {
            return {key: key, label: function () { return catalogue.label(key); }};
        });
        vm.MAX = MAX;
        vm.MIN = MIN;
        vm.state = loadState.create();
        vm.trendState = loadState.create();
        vm.all = [];
        vm.chosen = [];
        vm.link = viewState.link;
        vm.toggle = toggle;
        vm.metricChanged = metricChanged;
        vm.best = best;

        readQuery();
        load();
        refresher.watch($scope, load);
        viewState.onChange($scope, load);
        $scope.$on('$routeUpdate', function () {
            var before = vm.ids.join(',') + vm.metric;
            readQuery();
            if (vm.ids.join(',') + vm.metric !== before) {
                choose();
                loadTrends();
            }
        });

        function load() {
            vm.state.run(function () {
                return $q.all([radarApi.systems(viewState.apiParams()), catalogue.load()])
                    .then(function (answers) {
                        return answers[0];
                    });
            }, function (body) {
                vm.figures.forEach(labelled);
                vm.window = body.window;
                vm.all = body.systems.slice().sort(function (a, b) {
                    return a.name.localeCompare(b.name);
                });
                choose();
                loadTrends();
            });
        }

        /** The chosen systems, in the order they were picked; unknown ids are ignored. */
        function choose() {
            var byId = {};
            vm.all.forEach(function (s) {
                byId[s.id] = s;
            });
            vm.chosen = vm.ids.map(function (id) {
                return byId[id];
            }).filter(Boolean);
        }

        function loadTrends() {
            if (vm.chosen.length < MIN) {
                vm.chart = null;
                return;
            }
            var params = viewState.trendParams();
            var chosen = vm.chosen.slice();
            var metric = vm.metric;
            vm.trendState.run(function () {
                return $q.all(chosen.map(function (s) {
                    return radarApi.trend(s.id, params);
                }));
            }, function (trends) {
                buildChart(chosen, trends, metric);
            });
        }

        function buildChart(chosen, trends, metric) {
            var percent = metric !== 'score';
            var points = trends[0].points;
            vm.chart = {
                type: 'line',
                data: {
                    labels: chartTheme.labels(points),
                    datasets: chosen.map(function (s, i) {
                        return chartTheme.line(s.name, trends[i].points.map(function (p) {
                            return p[metric];
                        }), i);
                    })
                },
                options: chartTheme.options(percent ? chartTheme.percentAxis() : chartTheme.scoreAxis(),
                    percent ? format.percent : format.score, {points: points})
            };
            vm.chartLabel = labelOf(metric) + ' per ' +
                (viewState.trendParams().bucket === 'week' ? 'week' : 'day');
        }

        function toggle(system) {
            var at = vm.ids.indexOf(String(system.id));
            if (at >= 0) {
                vm.ids.splice(at, 1);
            } else if (vm.ids.length < MAX) {
                vm.ids.push(String(system.id));
            } else {
                return;
            }
            $location.search('systems', vm.ids.length ? vm.ids.join(',') : null);
            choose();
            loadTrends();
        }

        function metricChanged() {
            $location.search('metric', vm.metric === 'score' ? null : vm.metric).replace();
            loadTrends();
        }

        function readQuery() {
            var search = $location.search();
            var ids = search.systems ? String(search.systems).split(',') : [];
            vm.ids = ids.filter(function (id, i) {
                return id && ids.indexOf(id) === i;  // once each
            }).slice(0, MAX);
            vm.metric = search.metric || 'score';
        }

        /** Is `system` the best on this figure (ties included, and only if they differ)? */
        function best(figure, system) {
            if (!figure.better || vm.chosen.length < MIN) {
                return false;
            }
            var values = vm.chosen.map(figure.value).filter(function (v) {
                return v !== null && v !== undefined;
            });
            var mine = figure.value(system);
            if (mine === null || mine === undefined || values.length < 2) {
                return false;
            }
            var top = figure.better === 'high' ? Math.max.apply(null, values) : Math.min.apply(null, values);
            var bottom = figure.better === 'high' ? Math.min.apply(null, values) : Math.max.apply(null, values);
            return mine === top && top !== bottom;
        }

        function labelOf(metric) {
            return catalogue.label(metric);
        }

        /** A row of the table: its label and better end are the catalogue's. */
        function figure(key, group, show, neither) {
            // A time shows its age, in a <time> that gives the CSV export its exact time.
            return labelled({key: key, value: group(key), show: show, neither: neither,
                             time: show === format.timeAgo});
        }

        function labelled(row) {
            var better = {higher: 'high', lower: 'low'}[catalogue.better(row.key)];
            row.label = catalogue.label(row.key);
            row.better = row.neither ? undefined : better;
            return row;
        }

        function h(key) {
            return function (s) { return s.health[key]; };
        }

        function st(key) {
            return function (s) { return s.stats[key]; };
        }

        function plain(value) {
            return value === null || value === undefined ? '\u2014' : String(value);
        }
    }
})();
