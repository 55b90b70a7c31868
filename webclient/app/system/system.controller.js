/**
 * SystemController: one system's score and components, its trends, its jobs and its recent
 * reports. Each panel loads on its own (one slow or failing request does not blank the page)
 * and all reload together on refresh or when the window changes.
 */
(function () {
    'use strict';

    angular.module('radar.system').controller('SystemController', SystemController);

    SystemController.$inject = ['$scope', '$q', '$location', '$routeParams', 'radarApi', 'viewState', 'refresher',
        'loadState', 'chartTheme', 'format', 'catalogue'];
    function SystemController($scope, $q, $location, $routeParams, radarApi, viewState, refresher, loadState,
                              chartTheme, format, catalogue) {
        var vm = this;
        vm.id = $routeParams.id;
        vm.link = viewState.link;
        vm.states = {
            system: loadState.create(),
            jobs: loadState.create(),
            trend: loadState.create(),
            reports: loadState.create(),
            timeline: loadState.create(),
            failures: loadState.create(),
            missed: loadState.create()
        };
        // The reports list's filters live in the URL like the window (?result=&job=...).
        var FILTERS = ['result', 'job', 'pipeline', 'change'];
        vm.filters = {};
        vm.timelineDays = 30;
        vm.MISSED_PAGE = 25;
        vm.setTimeline = setTimeline;
        vm.applyFilters = applyFilters;
        vm.filterBy = filterBy;
        vm.clearReportFilters = clearReportFilters;
        vm.hasFilters = hasFilters;
        // Labels and help from the server's catalogue (GET /v1/figures).
        vm.components = ['coverage', 'timeliness', 'success_rate', 'stability'].map(function (key) {
            return {key: key, label: function () { return catalogue.label(key); },
                    help: function () { return catalogue.help(key); }};
        });
        vm.thresholds = catalogue.thresholds;
        vm.jobs = [];
        vm.reports = [];
        vm.flaky = [];
        vm.loadMore = loadMore;
        vm.loadingMore = false;
        // The silence form: the token is typed for each silence and never stored.
        vm.SILENCE_DURATIONS = ['1h', '2h', '4h', '8h', '24h', '72h'];
        vm.silence = {duration: '2h', comment: '', token: ''};
        vm.silenceResult = null;
        vm.silenceError = null;
        vm.silencing = false;
        vm.addSilence = addSilence;

        readFilters();
        load();
        refresher.watch($scope, load);
        $scope.$on('$routeUpdate', function () {
            var before = angular.toJson(vm.filters);
            readFilters();
            if (angular.toJson(vm.filters) !== before) {
                vm.reports = [];
                loadReports();
            }
        });
        viewState.onChange($scope, function () {
            // Another window: the reports paged in so far belong to the old one.
            vm.reports = [];
            load();
        });

        function load() {
            var params = viewState.apiParams();
            vm.states.system.run(function () {
                return radarApi.system(vm.id, params);
            }, function (body) {
                vm.system = body;
                vm.spread = latencySpread(body.stats);
            });
            vm.states.jobs.run(function () {
                return radarApi.jobs(vm.id, params);
            }, function (body) {
                vm.jobs = body.jobs.map(withFailureRate);
            });
            vm.states.trend.run(function () {
                // The deadline line needs the thresholds in force.
                return $q.all([radarApi.trend(vm.id, viewState.trendParams()), catalogue.load()])
                    .then(function (answers) {
                        return answers[0];
                    });
            }, function (body) {
                vm.trend = body;
                buildCharts(body.points);
            });
            loadReports();
            loadTimeline();
            vm.states.failures.run(function () {
                return radarApi.failures(vm.id, params);
            }, function (body) {
                vm.failures = body;
                vm.failureWords = body.by_result.filter(function (r) {
                    return r.result_class !== 'success';
                });
                vm.failingJobs = body.by_job.filter(function (job) {
                    return job.per_day !== null;
                });
            });
            vm.states.missed.run(function () {
                return radarApi.missed(vm.id, angular.extend({limit: vm.MISSED_PAGE}, params));
            }, function (body) {
                vm.missed = body.patchsets;
                vm.missedMore = Boolean(body.next);
            });
        }

        function addSilence() {
            vm.silencing = true;
            vm.silenceError = null;
            var body = {system: String(vm.system.id), duration: vm.silence.duration,
                        comment: vm.silence.comment};
            radarApi.createSilence(body, vm.silence.token).then(function (silence) {
                vm.silenceResult = silence;
                vm.silence.token = '';
                vm.silence.comment = '';
                load();
            }, function (error) {
                vm.silenceError = error.message;
            }).finally(function () {
                vm.silencing = false;
            });
        }

        function reportParams() {
            var params = viewState.apiParams();
            FILTERS.forEach(function (name) {
                if (vm.filters[name]) {
                    params[name] = vm.filters[name];
                }
            });
            return params;
        }

        function loadReports() {
            // Refresh as many reports as the user has paged in, so the list does not shrink.
            var atLeast = Math.max(vm.reports.length, radarApi.REPORT_PAGE);
            vm.states.reports.run(function () {
                return radarApi.reports(vm.id, reportParams(), atLeast);
            }, function (body) {
                vm.reports = body.reports;
                vm.reportsNext = body.next;
                vm.flaky = flakyPatchsets(vm.reports);
            });
        }

        function readFilters() {
            var search = $location.search();
            vm.filters = {};
            FILTERS.forEach(function (name) {
                vm.filters[name] = search[name] ? String(search[name]) : '';
            });
            vm.filterForm = angular.copy(vm.filters);
            vm.timelineDays = search.timeline === '90' ? 90 : 30;
        }

        /** Put the form's filters in the URL; $routeUpdate reloads the list. */
        function applyFilters() {
            FILTERS.forEach(function (name) {
                var value = String(vm.filterForm[name] || '').trim();
                $location.search(name, value || null);
            });
        }

        function filterBy(name, value) {
            vm.filterForm = angular.copy(vm.filters);
            vm.filterForm[name] = value;
            applyFilters();
        }

        function clearReportFilters() {
            vm.filterForm = {};
            applyFilters();
        }

        function hasFilters() {
            return FILTERS.some(function (name) {
                return Boolean(vm.filters[name]);
            });
        }

        function setTimeline(days) {
            $location.search('timeline', days === 90 ? '90' : null).replace();
            vm.timelineDays = days;
            loadTimeline();
        }

        /** Status bands over the last 30 or 90 days, from the history of hourly statuses. */
        function loadTimeline() {
            var until = new Date();
            var since = new Date(until.getTime() - vm.timelineDays * 86400000);
            vm.states.timeline.run(function () {
                return $q.all([radarApi.history(vm.id, {since: since.toISOString().slice(0, 19),
                                                        until: until.toISOString().slice(0, 19)}),
                               catalogue.load()]).then(function (answers) {
                    return answers[0];
                });
            }, function (body) {
                vm.timeline = bands(body, since, until);
            });
        }

        function bands(body, since, until) {
            var changes = body.changes;
            var start = since.getTime();
            var end = until.getTime();
            var span = end - start;
            var segments = [];
            var status = changes.length ? changes[0].from : (vm.system ? vm.system.health.status : null);
            var from = start;
            changes.forEach(function (change) {
                var at = Math.max(start, Date.parse(change.at));
                segments.push({status: status, from: from, to: at});
                status = change.to;
                from = at;
            });
            segments.push({status: status, from: from, to: end});
            return segments.filter(function (seg) {
                return seg.to > seg.from;
            }).map(function (seg) {
                var known = catalogue.status(seg.status);
                return {
                    status: seg.status || 'unknown',
                    label: known ? known.label : (seg.status || 'no history'),
                    since: new Date(seg.from).toISOString(),
                    until: new Date(seg.to).toISOString(),
                    width: Math.max(0.5, 100 * (seg.to - seg.from) / span)
                };
            });
        }

        function loadMore() {
            var last = vm.reports[vm.reports.length - 1];
            vm.loadingMore = true;
            vm.moreError = null;
            radarApi.reports(vm.id, reportParams(), radarApi.REPORT_PAGE, last && last.id)
                .then(function (body) {
                    vm.reports = vm.reports.concat(body.reports);
                    vm.reportsNext = body.next;
                    vm.flaky = flakyPatchsets(vm.reports);
                }, function (error) {
                    vm.moreError = error.message;
                })
                .finally(function () {
                    vm.loadingMore = false;
                });
        }

        function withFailureRate(job) {
            job.failure_rate = job.success_rate === null || job.success_rate === undefined
                ? null : 1 - job.success_rate;
            return job;
        }

        /**
         * Patchsets among the loaded reports where the system said FAILURE and later SUCCESS:
         * the examples behind the "flaky patchsets" count (which covers the whole window).
         */
        function flakyPatchsets(reports) {
            var byPatchset = {};
            reports.slice().reverse().forEach(function (r) {  // oldest first
                var key = r.change + ',' + r.patchset;
                var entry = byPatchset[key] || (byPatchset[key] = {
                    change: r.change, patchset: r.patchset, project: r.project,
                    gerrit_url: r.gerrit_url, failed: false, flipped: false, reports: 0
                });
                entry.reports += 1;
                if (r.result_class === 'failure') {
                    entry.failed = true;
                } else if (r.result_class === 'success' && entry.failed) {
                    entry.flipped = true;
                }
            });
            return Object.keys(byPatchset).map(function (key) {
                return byPatchset[key];
            }).filter(function (entry) {
                return entry.flipped;
            });
        }

        function toHours(seconds) {
            return seconds === null || seconds === undefined ? null : seconds / 3600;
        }

        /**
         * The latency spread as two bands on one scale: up to p50 (half of the patchsets had
         * a report by then) and up to p90. The API gives percentiles, not every latency.
         */
        function latencySpread(stats) {
            var p50 = stats.latency_p50_s;
            var p90 = stats.latency_p90_s;
            if (p50 === null || p50 === undefined || !p90) {
                return null;
            }
            return {p50: Math.round(100 * p50 / p90), p90: 100};
        }

        function buildCharts(points) {
            var labels = chartTheme.labels(points);
            function series(key) {
                return points.map(function (p) {
                    return p[key];
                });
            }
            vm.trendHasData = ['score', 'success_rate', 'coverage', 'timeliness'].some(function (key) {
                return series(key).some(function (value) {
                    return value !== null && value !== undefined;
                });
            });
            vm.scoreChart = {
                type: 'line',
                data: {labels: labels, datasets: [
                    chartTheme.line('Score', series('score'), 0, {fill: {target: 'origin'}})
                ]},
                options: chartTheme.options(chartTheme.scoreAxis(), null, {legend: false, points: points})
            };
            vm.ratesChart = {
                type: 'line',
                data: {labels: labels, datasets: [
                    chartTheme.line('Success rate', series('success_rate'), 0),
                    chartTheme.line('Coverage', series('coverage'), 1),
                    chartTheme.line('Timeliness', series('timeliness'), 2)
                ]},
                options: chartTheme.options(chartTheme.percentAxis(), format.percent, {points: points})
            };
            // Hours, with the deadline drawn: whether reports come in time is the question.
            var deadline = catalogue.thresholds.report_deadline_s;
            vm.latencyChart = {
                type: 'bar',
                data: {labels: labels, datasets: [
                    {label: 'Median latency', data: series('latency_p50_s').map(toHours),
                     series: 0, borderRadius: 4, maxBarThickness: 28}
                ]},
                options: chartTheme.options(chartTheme.hoursAxis(), function (hours) {
                    return format.duration(hours === null ? null : hours * 3600);
                }, {
                    legend: false,
                    points: points,
                    lines: [{value: toHours(deadline), label: 'report deadline ' + format.duration(deadline)}]
                })
            };
        }
    }
})();
