/**
 * SystemController: one system's score and components, its trends, its jobs and its recent
 * reports. Each panel loads on its own (one slow or failing request does not blank the page)
 * and all reload together on refresh or when the window changes.
 */
(function () {
    'use strict';

    angular.module('radar.system').controller('SystemController', SystemController);

    SystemController.$inject = ['$scope', '$routeParams', 'radarApi', 'viewState', 'refresher',
        'loadState', 'chartTheme', 'format'];
    function SystemController($scope, $routeParams, radarApi, viewState, refresher, loadState,
                              chartTheme, format) {
        var vm = this;
        vm.id = $routeParams.id;
        vm.link = viewState.link;
        vm.states = {
            system: loadState.create(),
            jobs: loadState.create(),
            trend: loadState.create(),
            reports: loadState.create()
        };
        vm.components = [
            {key: 'coverage', label: 'Coverage', help: 'eligible patchsets it reported on'},
            {key: 'timeliness', label: 'Timeliness', help: 'reports within the deadline'},
            {key: 'success_rate', label: 'Success rate', help: 'successes among verdicts'},
            {key: 'stability', label: 'Stability', help: 'patchsets without a failure-then-success flip'}
        ];
        vm.jobs = [];
        vm.reports = [];
        vm.flaky = [];
        vm.loadMore = loadMore;
        vm.loadingMore = false;

        load();
        refresher.watch($scope, load);
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
                return radarApi.trend(vm.id, viewState.trendParams());
            }, function (body) {
                vm.trend = body;
                buildCharts(body.points);
            });
            // Refresh as many reports as the user has paged in, so the list does not shrink.
            var atLeast = Math.max(vm.reports.length, radarApi.REPORT_PAGE);
            vm.states.reports.run(function () {
                return radarApi.reports(vm.id, params, atLeast);
            }, function (body) {
                vm.reports = body.reports;
                vm.reportsNext = body.next;
                vm.flaky = flakyPatchsets(vm.reports);
            });
        }

        function loadMore() {
            var last = vm.reports[vm.reports.length - 1];
            vm.loadingMore = true;
            vm.moreError = null;
            radarApi.reports(vm.id, viewState.apiParams(), radarApi.REPORT_PAGE, last && last.id)
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

        function toMinutes(seconds) {
            return seconds === null || seconds === undefined ? null : Math.round(seconds / 6) / 10;
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
            var colours = chartTheme.PALETTE;
            function series(key) {
                return points.map(function (p) {
                    return p[key];
                });
            }
            vm.scoreChart = {
                type: 'line',
                data: {labels: labels, datasets: [chartTheme.line('Score', series('score'), colours[0],
                    {fill: {target: 'origin'}, backgroundColor: 'rgba(11, 99, 197, 0.08)'})]},
                options: chartTheme.options(chartTheme.scoreAxis(), null, {legend: false, points: points})
            };
            vm.ratesChart = {
                type: 'line',
                data: {labels: labels, datasets: [
                    chartTheme.line('Success rate', series('success_rate'), colours[2]),
                    chartTheme.line('Coverage', series('coverage'), colours[0]),
                    chartTheme.line('Timeliness', series('timeliness'), colours[1], {borderDash: [5, 4]})
                ]},
                options: chartTheme.options(chartTheme.percentAxis(), format.percent, {points: points})
            };
            // Minutes on the axis read better than seconds ("25 min", not "1500").
            var latencyOptions = chartTheme.options({
                beginAtZero: true,
                title: {display: true, text: 'minutes'}
            }, function (minutes) {
                return format.duration(minutes === null ? null : minutes * 60);
            }, {legend: false, points: points});
            vm.latencyChart = {
                type: 'bar',
                data: {labels: labels, datasets: [
                    {label: 'Median latency', data: series('latency_p50_s').map(toMinutes),
                     backgroundColor: colours[0], borderRadius: 4, maxBarThickness: 28}
                ]},
                options: latencyOptions
            };
        }
    }
})();
