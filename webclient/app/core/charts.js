/**
 * Charts.
 *
 * <radar-chart config="vm.chart" label="Score per day"></radar-chart> draws a Chart.js
 * chart. When the view hands in a new config (refresh, new window), the existing chart is
 * updated in place rather than rebuilt, so it does not flash. Labels are drawn on the canvas,
 * so names from Gerrit are never parsed as HTML.
 *
 * <radar-sparkline values="[90, null, 70]"></radar-sparkline> is a tiny SVG line for table
 * rows: a dozen full Chart.js instances in a table would be heavy for a phone.
 *
 * chartTheme builds the datasets and axes the views share.
 */
(function () {
    'use strict';

    // Distinguishable, colour-blind-friendly series colours (Okabe-Ito, darkened for white).
    var PALETTE = ['#0b63c5', '#d55e00', '#009e73', '#8a3ffc', '#b8860b', '#cc79a7'];

    angular.module('radar.core')
        .constant('PALETTE', PALETTE)
        .directive('radarChart', radarChart)
        .component('radarSparkline', {
            bindings: {values: '<', max: '<?'},
            template: '<svg class="sparkline" viewBox="0 0 100 28" preserveAspectRatio="none" ' +
                'role="img" aria-label="{{$ctrl.label}}">' +
                '<path class="sparkline-line" ng-attr-d="{{$ctrl.path}}"></path>' +
                '<circle class="sparkline-last" r="2.2" ng-if="$ctrl.last" ' +
                'ng-attr-cx="{{$ctrl.last.x}}" ng-attr-cy="{{$ctrl.last.y}}"></circle></svg>',
            controller: SparklineController
        })
        .factory('chartTheme', chartTheme);

    radarChart.$inject = ['Chart'];
    function radarChart(Chart) {
        return {
            restrict: 'E',
            scope: {config: '<', label: '@', height: '@'},
            template: '<div class="chart-box" ng-style="{height: (height || 220) + \'px\'}">' +
                '<canvas role="img" aria-label="{{label}}"></canvas></div>',
            link: function (scope, element) {
                var canvas = element.find('canvas')[0];
                var chart = null;

                scope.$watch('config', function (config) {
                    if (!config || !Chart) {
                        return;
                    }
                    if (chart && chart.config.type === config.type) {
                        chart.data = config.data;
                        chart.options = config.options || {};
                        chart.update('none');
                        return;
                    }
                    if (chart) {
                        chart.destroy();
                    }
                    chart = new Chart(canvas, {
                        type: config.type,
                        data: config.data,
                        options: config.options || {}
                    });
                });

                scope.$on('$destroy', function () {
                    if (chart) {
                        chart.destroy();
                    }
                });
            }
        };
    }

    function SparklineController() {
        var ctrl = this;
        ctrl.$onChanges = function () {
            var values = ctrl.values || [];
            var max = ctrl.max || 100;
            var step = values.length > 1 ? 100 / (values.length - 1) : 0;
            var path = '';
            ctrl.last = null;
            values.forEach(function (value, i) {
                if (value === null || value === undefined) {
                    return;  // a gap: no data that day
                }
                var point = {x: round(i * step), y: round(26 - (Math.min(value, max) / max) * 24)};
                var previous = values[i - 1];
                var next = values[i + 1];
                var joined = previous !== null && previous !== undefined && i > 0;
                path += (joined ? 'L' : 'M') + point.x + ' ' + point.y + ' ';
                if (!joined && (next === null || next === undefined)) {
                    path += 'l0.01 0 ';  // an isolated day: a dot (round line caps)
                }
                ctrl.last = point;
            });
            ctrl.path = path.trim() || 'M0 27';
            var known = values.filter(function (v) {
                return v !== null && v !== undefined;
            });
            ctrl.label = known.length
                ? 'Daily score, from ' + known[0] + ' to ' + known[known.length - 1]
                : 'No daily scores';
        };

        function round(n) {
            return Math.round(n * 10) / 10;
        }
    }

    chartTheme.$inject = ['format'];
    function chartTheme(format) {
        return {
            PALETTE: PALETTE,
            labels: labels,
            line: line,
            percentAxis: percentAxis,
            scoreAxis: scoreAxis,
            options: options
        };

        /**
         * Bucket labels: the UTC day a bucket ends on ("Nov 23": the last bucket ends now,
         * so it reads as today). Tooltips show the exact range (see options()).
         */
        function labels(points) {
            return points.map(function (p) {
                var end = new Date(Date.parse(p.until) - 1);
                return end.toLocaleDateString('en', {month: 'short', day: 'numeric', timeZone: 'UTC'});
            });
        }

        function range(point) {
            return point ? format.utc(point.since) + ' to ' + format.utc(point.until) : '';
        }

        function line(label, values, colour, extra) {
            return angular.extend({
                label: label,
                data: values,
                borderColor: colour,
                backgroundColor: colour,
                borderWidth: 2,
                pointRadius: 2.5,
                tension: 0.25,
                spanGaps: false
            }, extra || {});
        }

        function scoreAxis() {
            return {min: 0, max: 100, ticks: {stepSize: 20}};
        }

        function percentAxis() {
            return {
                min: 0, max: 1,
                ticks: {stepSize: 0.2, callback: function (v) { return format.percent(v); }}
            };
        }

        /**
         * Shared options: y axis, tooltips formatted like the tables, legend on top (or none,
         * with {legend: false}, for a single series whose title already names it).
         */
        function options(y, tooltipFormat, extra) {
            var legend = !(extra && extra.legend === false);
            var points = (extra && extra.points) || null;
            return {
                responsive: true,
                animation: false,
                interaction: {mode: 'index', intersect: false},
                scales: {y: y, x: {grid: {display: false}}},
                plugins: {
                    legend: {display: legend, position: 'top', align: 'start'},
                    tooltip: {
                        callbacks: {
                            title: function (items) {
                                return points && items.length ? range(points[items[0].dataIndex])
                                    : (items.length ? items[0].label : '');
                            },
                            label: function (item) {
                                var value = item.raw;
                                return item.dataset.label + ': ' +
                                    (tooltipFormat ? tooltipFormat(value) : format.score(value));
                            }
                        }
                    }
                }
            };
        }
    }
})();
