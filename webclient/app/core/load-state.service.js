/**
 * loadState: the loading / loaded / error bookkeeping of one panel, shared by every view so
 * that they all behave alike:
 *   - the first load shows "Loading…"; later loads (refresh, new window) keep the old data on
 *     screen, marked as updating, so nothing jumps;
 *   - a reply to an older request that arrives late is dropped (the newest request wins);
 *   - an outage keeps the old data (the banner explains); a client error (unknown change,
 *     bad window) hides it, since it no longer matches what was asked.
 *
 *   var state = loadState.create();
 *   state.run(function () { return radarApi.jobs(id, params); }, function (body) { vm.jobs = body.jobs; });
 */
(function () {
    'use strict';

    angular.module('radar.core').factory('loadState', loadState);

    loadState.$inject = ['$q'];
    function loadState($q) {
        function LoadState() {
            this.loading = false;
            this.loaded = false;
            this.error = null;
            this.outage = false;
            this.seq = 0;
        }

        LoadState.prototype.run = function (fetch, apply) {
            var self = this;
            var seq = ++self.seq;
            self.loading = true;
            return $q.when(fetch()).then(function (body) {
                if (seq !== self.seq) {
                    return;
                }
                apply(body);
                self.loaded = true;
                self.error = null;
                self.outage = false;
            }, function (error) {
                if (seq !== self.seq) {
                    return;
                }
                self.error = (error && error.message) || String(error);
                self.outage = Boolean(error && error.outage);
                if (!self.outage) {
                    self.loaded = false;
                }
            }).finally(function () {
                if (seq === self.seq) {
                    self.loading = false;
                }
            });
        };

        /** Waiting for the first data (show a placeholder rather than empty tables). */
        LoadState.prototype.initial = function () {
            return !this.loaded && !this.error;
        };

        return {
            create: function () {
                return new LoadState();
            }
        };
    }
})();
