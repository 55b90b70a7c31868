/**
 * Formatting filters. Missing figures (null: no data in the window) show as an em dash, never
 * as 0, which would read as a measured zero.
 */
(function () {
    'use strict';

    var NONE = '\u2014';

    angular.module('radar.core')
        .factory('format', format)
        .filter('percent', ['format', function (f) { return f.percent; }])
        .filter('duration', ['format', function (f) { return f.duration; }])
        .filter('utc', ['format', function (f) { return f.utc; }])
        .filter('score', ['format', function (f) { return f.score; }])
        .filter('timeAgo', timeAgoFilter);

    function format() {
        return {
            percent: percent,
            duration: duration,
            utc: utc,
            score: score,
            timeAgo: timeAgo
        };

        /** 0.914 -> "91%". */
        function percent(ratio) {
            if (ratio === null || ratio === undefined || isNaN(ratio)) {
                return NONE;
            }
            return Math.round(ratio * 100) + '%';
        }

        function score(value) {
            return value === null || value === undefined ? NONE : String(value);
        }

        /**
         * Seconds, compact and to the useful precision: "45s", "30m 30s", "1h 02m", "2d 03h";
         * a zero second unit is left out ("5m", "1h").
         */
        function duration(seconds) {
            if (seconds === null || seconds === undefined || isNaN(seconds)) {
                return NONE;
            }
            var total = Math.round(seconds);
            if (total < 60) {
                return total + 's';
            }
            if (total < 3600) {
                return pair(Math.floor(total / 60), 'm', total % 60, 's');
            }
            var minutes = Math.floor(total / 60);
            if (minutes < 24 * 60) {
                return pair(Math.floor(minutes / 60), 'h', minutes % 60, 'm');
            }
            var hours = Math.floor(minutes / 60);
            return pair(Math.floor(hours / 24), 'd', hours % 24, 'h');
        }

        function pair(big, bigUnit, small, smallUnit) {
            return big + bigUnit + (small ? ' ' + pad(small) + smallUnit : '');
        }

        /** "2026-11-23T09:51:00Z" -> "2026-11-23 09:51 UTC" (the API's times are UTC). */
        function utc(iso) {
            if (!iso) {
                return NONE;
            }
            var date = new Date(iso);
            if (isNaN(date.getTime())) {
                return String(iso);
            }
            return date.toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
        }

        /** "just now", "12 min ago", "3 h ago", "4 d ago"; `never` for a missing time. */
        function timeAgo(iso, never) {
            if (!iso) {
                return never || 'never';
            }
            var seconds = (Date.now() - new Date(iso).getTime()) / 1000;
            if (isNaN(seconds)) {
                return String(iso);
            }
            if (seconds < 45) {
                return 'just now';
            }
            if (seconds < 3600) {
                return Math.max(1, Math.round(seconds / 60)) + ' min ago';
            }
            if (seconds < 48 * 3600) {
                return Math.round(seconds / 3600) + ' h ago';
            }
            return Math.round(seconds / 86400) + ' d ago';
        }

        function pad(n) {
            return n < 10 ? '0' + n : String(n);
        }
    }

    timeAgoFilter.$inject = ['format'];
    function timeAgoFilter(format) {
        function timeAgo(iso, never) {
            return format.timeAgo(iso, never);
        }
        // The answer depends on the clock, not only on the input: re-evaluate every digest.
        timeAgo.$stateful = true;
        return timeAgo;
    }
})();
