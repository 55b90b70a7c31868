/**
 * Charts.
 *
 * <radar-chart config="vm.chart" label="Score per day" empty="No report in this window.">
 * draws a Chart.js chart, or says `empty` instead of an empty frame when no series has a
 * value. When the view hands in a new config (refresh, new window), the existing chart is
 * updated in place rather than rebuilt, so it does not flash. Labels are drawn on the canvas,
 * so names from Gerrit are never parsed as HTML.
 *
 * Colours come from the stylesheet (--series-1..6, --chart-*), so charts follow the light or
 * dark theme; a dataset names its series by number (`series: 0`) and is painted when drawn,
 * and every chart is drawn again when the theme changes.
 *
 * <radar-sparkline values="[90, null, 70]"></radar-sparkline> is a tiny SVG line for table
 * rows: a dozen full Chart.js instances in a table would be heavy for a phone.
 *
 * chartTheme builds the datasets and axes the views share.
 */
(function () {
    'use strict';

    var SERIES_COLOURS = 6;
    // Series that may lie on top of each other (coverage and timeliness both at 100 %) stay
    // apart: each has its own dash and marker, and the ones drawn below (Chart.js draws the
    // first dataset last, on top) are wider, so they show on both sides of the one above.
    var SERIES_STYLES = [
        {borderDash: [], pointStyle: 'circle'},
        {borderDash: [7, 4], pointStyle: 'rect'},
        {borderDash: [2, 3], pointStyle: 'triangle'},
        {borderDash: [10, 3, 2, 3], pointStyle: 'rectRot'}
    ];

    angular.module('radar.core')
        .factory('theme', theme)
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
        .factory('chartTheme', chartTheme)
        .run(chartDefaults);

    /**
     * The stylesheet's colours, and a 'radar:theme' broadcast when the system switches
     * between light and dark (prefers-color-scheme), for what is drawn on canvas.
     */
    theme.$inject = ['$rootScope', '$window'];
    function theme($rootScope, $window) {
        var dark = $window.matchMedia ? $window.matchMedia('(prefers-color-scheme: dark)') : null;
        if (dark && dark.addEventListener) {
            dark.addEventListener('change', function () {
                $rootScope.$applyAsync(function () {
                    $rootScope.$broadcast('radar:theme');
                });
            });
        }
        return {
            value: value,
            series: function (i) {
                return value('--series-' + (i % SERIES_COLOURS + 1));
            }
        };

        /** A custom property of the page, as the current theme sets it, on one line. */
        function value(name) {
            return $window.getComputedStyle($window.document.documentElement)
                .getPropertyValue(name).replace(/\s+/g, ' ').trim();
        }
    }

    /** Chart.js's defaults from the theme, now and whenever it changes. */
    chartDefaults.$inject = ['$rootScope', 'Chart', 'theme'];
    function chartDefaults($rootScope, Chart, theme) {
        if (!Chart) {
            return;
        }
        Chart.register(referenceLines(theme));
        function apply() {
            Chart.defaults.font.family = theme.value('--font') || Chart.defaults.font.family;
            Chart.defaults.color = theme.value('--chart-text');
            Chart.defaults.borderColor = theme.value('--chart-grid');
            Chart.defaults.maintainAspectRatio = false;
            // The legend shows each series' own marker (SERIES_STYLES), at the points' size.
            Chart.defaults.plugins.legend.labels.usePointStyle = true;
            Chart.defaults.plugins.legend.labels.boxWidth = 10;
            Chart.defaults.plugins.legend.labels.boxHeight = 7;
        }
        apply();
        // Run before the charts redraw (they listen to the same event on child scopes).
        $rootScope.$on('radar:theme', apply);
    }

    /**
     * options.plugins.referenceLines: [{value, label}]: a dashed horizontal line across the
     * whole plot at `value` of the y axis, labelled on the canvas (the report deadline on
     * latency charts). The y axis is stretched to show it.
     */
    function referenceLines(theme) {
        return {
            id: 'referenceLines',
            afterDataLimits: function (chart, args, options) {
                if (args.scale.axis !== 'y') {
                    return;
                }
                (options.lines || []).forEach(function (line) {
                    args.scale.max = Math.max(args.scale.max, line.value * 1.12);
                });
            },
            afterDatasetsDraw: function (chart, args, options) {
                var y = chart.scales.y;
                var area = chart.chartArea;
                var ctx = chart.ctx;
                (options.lines || []).forEach(function (line) {
                    var at = y.getPixelForValue(line.value);
                    var colour = theme.value('--deadline');
                    ctx.save();
                    ctx.strokeStyle = colour;
                    ctx.lineWidth = 2;
                    ctx.setLineDash([6, 4]);
                    ctx.beginPath();
                    ctx.moveTo(area.left, at);
                    ctx.lineTo(area.right, at);
                    ctx.stroke();
                    // The label sits on a patch of the card's colour: readable over the bars.
                    ctx.font = '600 12px ' + theme.value('--font');
                    ctx.textAlign = 'left';
                    ctx.textBaseline = 'middle';
                    var width = ctx.measureText(line.label).width;
                    ctx.fillStyle = theme.value('--surface');
                    ctx.fillRect(area.left + 4, at - 8, width + 8, 16);
                    ctx.fillStyle = colour;
                    ctx.fillText(line.label, area.left + 8, at);
                    ctx.restore();
                });
            },
            defaults: {lines: []}
        };
    }

    radarChart.$inject = ['Chart', 'theme'];
    function radarChart(Chart, theme) {
        return {
            restrict: 'E',
            scope: {config: '<', label: '@', height: '@', empty: '@'},
            template: '<p class="chart-empty" ng-if="isEmpty" role="note">' +
                '{{empty || \'No data in this window.\'}}</p>' +
                '<div class="chart-box" ng-show="!isEmpty" ng-style="{height: (height || 220) + \'px\'}">' +
                '<canvas role="img" aria-label="{{label}}"></canvas></div>',
            link: function (scope, element) {
                var canvas = element.find('canvas')[0];
                var chart = null;

                scope.$watch('config', draw);
                scope.$on('radar:theme', function () {
                    destroy();
                    draw(scope.config);
                });
                scope.$on('$destroy', destroy);

                function draw(config) {
                    scope.isEmpty = Boolean(config) && !hasData(config);
                    if (!config || !Chart || scope.isEmpty) {
                        destroy();
                        return;
                    }
                    paint(config);
                    // Chart.js writes the theme's defaults into the options it is given: a
                    // copy each time keeps the view's options free of the previous theme.
                    var options = angular.copy(config.options || {});
                    if (chart && chart.config.type === config.type) {
                        chart.data = config.data;
                        chart.options = options;
                        chart.update('none');
                        return;
                    }
                    destroy();
                    chart = new Chart(canvas, {type: config.type, data: config.data, options: options});
                }

                function destroy() {
                    if (chart) {
                        chart.destroy();
                        chart = null;
                    }
                }
            }
        };

        /** Colours of the current theme on every dataset that names its series. */
        function paint(config) {
            config.data.datasets.forEach(function (dataset) {
                if (dataset.series === undefined) {
                    return;
                }
                var colour = theme.series(dataset.series);
                dataset.borderColor = colour;
                dataset.pointBackgroundColor = colour;
                dataset.backgroundColor = dataset.fill ? withAlpha(colour, 0.12) : colour;
            });
        }
    }

    /** Does any dataset have a value to draw? */
    function hasData(config) {
        return config.data.datasets.some(function (dataset) {
            return dataset.data.some(function (value) {
                return value !== null && value !== undefined && !isNaN(value);
            });
        });
    }

    /** '#0b63c5' with an alpha, for fills under a line. */
    function withAlpha(hex, alpha) {
        var match = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
        if (!match) {
            return hex;
        }
        return 'rgba(' + [1, 2, 3].map(function (i) {
            return parseInt(match[i], 16);
        }).join(', ') + ', ' + alpha + ')';
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
            labels: labels,
            line: line,
            percentAxis: percentAxis,
            scoreAxis: scoreAxis,
            hoursAxis: hoursAxis,
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

        /**
         * The i-th series of a line chart: straight segments between the measured points
         * (a curve would invent values between them and overshoot 0 % or 100 %), a gap where
         * a bucket has no value, and its own dash and marker.
         */
        function line(label, values, series, extra) {
            var style = SERIES_STYLES[series % SERIES_STYLES.length];
            return angular.extend({
                label: label,
                data: values,
                series: series,
                borderWidth: 2 + 1.25 * (series % SERIES_STYLES.length),
                borderDash: style.borderDash,
                pointStyle: style.pointStyle,
                pointRadius: 3.5,
                pointHoverRadius: 5,
                tension: 0,
                spanGaps: false,
                // Points at 0 % and 100 % are drawn whole, not cut by the plot's edge.
                clip: 8
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

        /** Durations given in hours, labelled "30m", "1h", "1h 30m". */
        function hoursAxis() {
            return {
                beginAtZero: true,
                ticks: {callback: function (hours) { return hours ? format.duration(hours * 3600) : '0'; }}
            };
        }

        /**
         * Shared options: y axis, tooltips formatted like the tables, legend on top (or none,
         * with {legend: false}, for a single series whose title already names it), and
         * reference lines ({lines: [{value, label}]}).
         */
        function options(y, tooltipFormat, extra) {
            extra = extra || {};
            var points = extra.points || null;
            return {
                responsive: true,
                animation: false,
                interaction: {mode: 'index', intersect: false},
                scales: {y: y, x: {grid: {display: false}}},
                plugins: {
                    legend: {display: extra.legend !== false, position: 'top', align: 'start'},
                    referenceLines: {lines: extra.lines || []},
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
