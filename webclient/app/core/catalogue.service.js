/**
 * catalogue: the labels, statuses and thresholds in force, from GET /v1/figures (the server's
 * catalogue, radar_core/catalogue.py). Nothing of it is repeated here: a label renamed or a
 * threshold changed by an operator shows on the next page load.
 *
 *   catalogue.load().then(...)     one request per page life (retried after a failure)
 *   catalogue.statuses             [{key, label, help}] worst first (filled in place)
 *   catalogue.label('coverage')    'Coverage' (the figure's name until the catalogue is in)
 *   catalogue.better('coverage')   'higher' | 'lower' | null
 *   catalogue.thresholds           {score_failing_below, report_deadline_s, ...}
 *   catalogue.rank('silent')       position in the severity order (worst = 0)
 */
(function () {
    'use strict';

    angular.module('radar.core').factory('catalogue', catalogue);

    catalogue.$inject = ['radarApi'];
    function catalogue(radarApi) {
        var pending = null;
        var labels = {};
        var help = {};
        var better = {};
        var service = {
            loaded: false,
            statuses: [],
            thresholds: {},
            load: load,
            label: label,
            help: helpOf,
            better: function (name) {
                return better[name] || null;
            },
            rank: rank,
            status: status
        };
        return service;

        function load() {
            if (!pending) {
                pending = radarApi.figures().then(apply, function (error) {
                    pending = null;  // ask again next time
                    throw error;
                });
            }
            return pending;
        }

        function apply(body) {
            body.figures.forEach(function (figure) {
                labels[figure.name] = figure.label;
                help[figure.name] = figure.help;
                better[figure.name] = figure.better;
            });
            service.statuses.length = 0;
            body.statuses.forEach(function (s) {
                service.statuses.push({key: s.name, label: s.label, help: s.help});
            });
            angular.copy(body.thresholds, service.thresholds);
            service.loaded = true;
            return service;
        }

        function label(name) {
            return labels[name] || name;
        }

        function helpOf(name) {
            return help[name] || '';
        }

        function rank(key) {
            for (var i = 0; i < service.statuses.length; i++) {
                if (service.statuses[i].key === key) {
                    return i;
                }
            }
            return service.statuses.length;
        }

        function status(key) {
            return service.statuses[rank(key)] || null;
        }
    }
})();
