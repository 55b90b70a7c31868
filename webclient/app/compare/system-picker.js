/**
 * <radar-system-picker systems="vm.all" chosen="vm.chosen" max="vm.MAX" on-toggle="vm.toggle(system)">
 *
 * The chosen systems as chips (a click removes one) and a search box that lists the others,
 * filtered as one types by name or username: a hundred systems stay usable. It follows the
 * ARIA combobox pattern: arrow keys move through the list, Enter adds, Escape closes, and the
 * screen reader hears the active option (aria-activedescendant). The picker only reports
 * choices (on-toggle); the view keeps them in the URL.
 */
(function () {
    'use strict';

    angular.module('radar.compare').component('radarSystemPicker', {
        bindings: {systems: '<', chosen: '<', max: '<', onToggle: '&'},
        templateUrl: 'app/compare/system-picker.html',
        controller: SystemPickerController
    });

    SystemPickerController.$inject = ['$element', '$timeout'];
    function SystemPickerController($element, $timeout) {
        var ctrl = this;
        ctrl.query = '';
        ctrl.open = false;
        ctrl.active = -1;
        ctrl.matches = [];

        ctrl.$onChanges = filter;
        ctrl.filter = function () {
            filter();
            ctrl.open = true;
            ctrl.active = ctrl.matches.length ? 0 : -1;
        };
        ctrl.show = function () {
            filter();
            ctrl.open = true;
        };
        ctrl.close = function () {
            ctrl.open = false;
            ctrl.active = -1;
        };
        ctrl.full = function () {
            return (ctrl.chosen || []).length >= ctrl.max;
        };
        ctrl.pick = function (system) {
            ctrl.onToggle({system: system});
            ctrl.query = '';
            // The list stays open to add another, unless that was the last one allowed.
            $timeout(function () {
                filter();
                ctrl.active = ctrl.full() || !ctrl.matches.length ? -1 : 0;
                if (ctrl.full()) {
                    ctrl.close();
                } else {
                    input().focus();
                }
            });
        };
        ctrl.optionId = function (system) {
            return 'system-option-' + system.id;
        };
        ctrl.activeId = function () {
            var system = ctrl.open ? ctrl.matches[ctrl.active] : null;
            return system ? ctrl.optionId(system) : undefined;
        };

        ctrl.key = function (event) {
            var count = ctrl.matches.length;
            switch (event.key) {
            case 'ArrowDown':
            case 'ArrowUp':
                event.preventDefault();
                if (!ctrl.open) {
                    ctrl.show();
                }
                if (count) {
                    var step = event.key === 'ArrowDown' ? 1 : -1;
                    ctrl.active = ctrl.active < 0 ? (step > 0 ? 0 : count - 1)
                        : (ctrl.active + step + count) % count;
                    reveal();
                }
                break;
            case 'Home':
            case 'End':
                if (ctrl.open && count) {
                    event.preventDefault();
                    ctrl.active = event.key === 'Home' ? 0 : count - 1;
                    reveal();
                }
                break;
            case 'Enter':
                event.preventDefault();
                if (ctrl.open && ctrl.matches[ctrl.active]) {
                    ctrl.pick(ctrl.matches[ctrl.active]);
                }
                break;
            case 'Escape':
                if (ctrl.open) {
                    event.preventDefault();
                    ctrl.close();
                } else if (ctrl.query) {
                    ctrl.query = '';
                    filter();
                }
                break;
            case 'Tab':
                ctrl.close();
                break;
            }
        };

        /** The systems not chosen yet whose name or username contains the query. */
        function filter() {
            var needle = (ctrl.query || '').trim().toLowerCase();
            var chosen = {};
            (ctrl.chosen || []).forEach(function (s) {
                chosen[s.id] = true;
            });
            ctrl.matches = (ctrl.systems || []).filter(function (s) {
                return !chosen[s.id] && (!needle || s.name.toLowerCase().indexOf(needle) >= 0 ||
                    (s.username || '').toLowerCase().indexOf(needle) >= 0);
            });
            if (ctrl.active >= ctrl.matches.length) {
                ctrl.active = ctrl.matches.length - 1;
            }
        }

        function input() {
            return $element[0].querySelector('input');
        }

        /** Keep the active option in view in a long list. */
        function reveal() {
            $timeout(function () {
                var option = $element[0].querySelector('[role=option].active');
                if (option && option.scrollIntoView) {
                    option.scrollIntoView({block: 'nearest'});
                }
            }, 0, false);
        }
    }
})();
