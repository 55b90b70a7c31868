/**
 * StatusController: the collector's health from /v1/status: when it last polled, whether that
 * worked, how far behind Gerrit it is, and the latest polls with their errors.
 */
(function () {
    'use strict';

    angular.module('radar.status').controller('StatusController', StatusController);

    StatusController.$inject = ['$scope', 'radarApi', 'refresher', 'loadState'];
    function StatusController($scope, radarApi, refresher, loadState) {
        var vm = this;
        vm.state = loadState.create();
        vm.lagIsBad = lagIsBad;
        vm.pollSeconds = pollSeconds;
        vm.outcomeClass = outcomeClass;

        load();
        refresher.watch($scope, load);

        function load() {
            vm.state.run(radarApi.status, function (status) {
                vm.status = status;
                vm.collector = status.collector || {};
            });
        }

        /**
         * Behind by more than two poll intervals: at least one poll was missed or failed.
         * No successful poll at all is bad too.
         */
        function lagIsBad() {
            var lag = vm.collector.lag_s;
            return lag === null || lag === undefined || lag > 2 * vm.status.poll_interval;
        }

        function pollSeconds(poll) {
            if (!poll.started_at || !poll.finished_at) {
                return null;
            }
            return (Date.parse(poll.finished_at) - Date.parse(poll.started_at)) / 1000;
        }

        /** The outcome's badge colour: ok is a success; anything else needs a look. */
        function outcomeClass(outcome) {
            if (!outcome) {
                return 'other';
            }
            return outcome === 'ok' || outcome === 'success' ? 'success' : 'failure';
        }
    }
})();
