/**
 * Small shared components: status and result badges, ratio meters and the loading/error
 * panel. Everything they show comes through {{ }} bindings, so text from Gerrit (system and
 * job names, messages) is always rendered as text, never as HTML.
 */
(function () {
    'use strict';

    var RESULT_CLASSES = ['success', 'failure', 'error', 'skipped'];

    angular.module('radar.core')
        .component('radarStatus', {
            bindings: {status: '<'},
            template: '<span class="badge status-{{$ctrl.cls}}" title="{{$ctrl.help}}">' +
                '<span class="badge-dot" aria-hidden="true"></span>{{$ctrl.label}}</span>',
            controller: StatusBadgeController
        })
        .component('radarResult', {
            bindings: {result: '<', resultClass: '<', count: '<?'},
            template: '<span class="badge result-{{$ctrl.cls}}">{{$ctrl.result || \'UNKNOWN\'}}' +
                '<span class="badge-count" ng-if="$ctrl.count > 1"> \u00d7{{$ctrl.count}}</span>' +
                '</span>',
            controller: ResultBadgeController
        })
        .component('radarMeter', {
            bindings: {value: '<', label: '@'},
            template: '<div class="meter" role="meter" aria-label="{{$ctrl.label}}" ' +
                'aria-valuemin="0" aria-valuemax="100" aria-valuenow="{{$ctrl.pct}}">' +
                '<div class="meter-fill meter-{{$ctrl.level}}" ng-style="{width: $ctrl.pct + \'%\'}">' +
                '</div></div>',
            controller: MeterController
        })
        .component('radarState', {
            bindings: {state: '<', what: '@'},
            templateUrl: 'app/core/state.html'
        });

    /** Label and help from the server's catalogue (the status's name until it is in). */
    StatusBadgeController.$inject = ['catalogue'];
    function StatusBadgeController(catalogue) {
        var ctrl = this;
        ctrl.$doCheck = function () {
            var known = catalogue.status(ctrl.status);
            ctrl.cls = known ? known.key : 'unknown';
            ctrl.label = known ? known.label : (ctrl.status || 'unknown');
            ctrl.help = known ? known.help : '';
        };
    }

    function ResultBadgeController() {
        var ctrl = this;
        ctrl.$onChanges = function () {
            // Result words outside the four classes (UNKNOWN, notices) get a neutral badge.
            ctrl.cls = RESULT_CLASSES.indexOf(ctrl.resultClass) >= 0 ? ctrl.resultClass : 'other';
        };
    }

    function MeterController() {
        var ctrl = this;
        ctrl.$onChanges = function () {
            var value = ctrl.value;
            ctrl.pct = value === null || value === undefined ? 0 : Math.round(value * 100);
            ctrl.level = value === null || value === undefined ? 'none'
                : value >= 0.8 ? 'good' : value >= 0.5 ? 'fair' : 'poor';
        };
    }
})();
