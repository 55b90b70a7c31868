/**
 * EventsController: GET /v1/events, newest first, paged with "Older events". Every kind is
 * shown: status changes as "from -> to", new data as counts, and any other kind (alerts and
 * deliveries, from the alerts work) generically as its data's keys and values. New events
 * arrive by the stream (live.js): the page reloads the pages it has, keeping them.
 */
(function () {
    'use strict';

    angular.module('radar.events').controller('EventsController', EventsController);

    EventsController.$inject = ['$scope', '$q', 'radarApi', 'refresher', 'loadState', 'viewState',
        'catalogue'];
    function EventsController($scope, $q, radarApi, refresher, loadState, viewState, catalogue) {
        var vm = this;
        vm.state = loadState.create();
        vm.events = [];
        vm.link = viewState.link;
        vm.more = more;
        vm.summary = summary;
        vm.kinds = [];
        vm.kind = '';

        load();
        refresher.watch($scope, load);

        /**
         * The newest page (the server's page size); older pages the user loaded stay below it,
         * so a refresh never shortens the list.
         */
        function load() {
            return vm.state.run(function () {
                return $q.all([radarApi.events({}), catalogue.load()]).then(function (answers) {
                    return answers[0];
                });
            }, function (body) {
                var oldest = body.events.length ? body.events[body.events.length - 1].id : null;
                var older = vm.events.filter(function (e) {
                    return oldest !== null && e.id < oldest;
                });
                apply(body.events.concat(older), older.length ? vm.next : body.next, false);
            });
        }

        function more() {
            var last = vm.events[vm.events.length - 1];
            vm.loadingMore = true;
            radarApi.events({marker: last.id}).then(function (body) {
                apply(body.events, body.next, true);
            }, function (error) {
                vm.moreError = error.message;
            }).finally(function () {
                vm.loadingMore = false;
            });
        }

        function apply(events, next, append) {
            vm.events = append ? vm.events.concat(events) : events;
            vm.next = next;
            var kinds = {};
            vm.events.forEach(function (e) {
                kinds[e.kind] = true;
            });
            vm.kinds = Object.keys(kinds).sort();
        }

        /** One line of what happened, from any kind's data. */
        function summary(event) {
            var data = event.data || {};
            if (event.kind === 'status') {
                var to = catalogue.status(data.to);
                var from = catalogue.status(data.from);
                return (from ? from.label + ' \u2192 ' : 'first status: ') + (to ? to.label : data.to) +
                    (data.score !== null && data.score !== undefined ? ' (score ' + data.score + ')' : '');
            }
            if (event.kind === 'data') {
                var parts = ['reports', 'rechecks', 'changes'].filter(function (k) {
                    return data[k];
                }).map(function (k) {
                    return data[k] + ' ' + k;
                });
                return 'new data: ' + (parts.join(', ') || 'nothing new') +
                    (data.query ? ' (' + data.query + ')' : '');
            }
            return Object.keys(data).filter(function (k) {
                return k !== 'username' && k !== 'system_id';
            }).map(function (k) {
                var value = data[k];
                return k + ': ' + (value !== null && typeof value === 'object' ? angular.toJson(value) : value);
            }).join(' · ');
        }
    }
})();
