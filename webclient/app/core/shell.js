/**
 * The page shell around the views: navigation, the window and project selector that every
 * view shares, the API-down banner and the "updated" footer.
 */
(function () {
    'use strict';

    var NAV = [
        {path: '/systems', label: 'Leaderboard'},
        {path: '/compare', label: 'Compare'},
        {path: '/projects', label: 'Projects'},
        {path: '/changes', label: 'Change'},
        {path: '/events', label: 'Events'},
        {path: '/status', label: 'Collector'}
    ];

    angular.module('radar.core')
        .component('radarNav', {
            templateUrl: 'app/core/nav.html',
            controller: NavController
        })
        .component('radarWindowPicker', {
            templateUrl: 'app/core/window-picker.html',
            controller: WindowPickerController
        })
        .component('radarBanner', {
            templateUrl: 'app/core/banner.html',
            controller: BannerController
        })
        .component('radarFooter', {
            template: '<footer class="footer">' +
                '<span id="live-state" data-mode="{{$ctrl.live.mode}}" ng-switch="$ctrl.live.mode">' +
                '<span ng-switch-when="live" class="live-on"><span class="live-dot" aria-hidden="true"></span>' +
                'Live: updates as the collector stores data.</span>' +
                '<span ng-switch-when="polling" class="live-off">Live updates off ' +
                '({{$ctrl.live.reason}}): refreshing every {{$ctrl.every()}}' +
                '<span ng-if="$ctrl.refresher.nextRefresh">, next at <time id="next-refresh">' +
                '{{$ctrl.refresher.nextRefresh | date:\'HH:mm:ss\'}}</time></span>.</span>' +
                '<span ng-switch-default>Connecting to the event stream…</span>' +
                '</span> ' +
                '<span ng-if="$ctrl.refresher.lastRefresh">Last refresh ' +
                '<time id="last-refresh">{{$ctrl.refresher.lastRefresh | date:\'HH:mm:ss\'}}</time>.</span>' +
                '</footer>',
            controller: FooterController
        });

    NavController.$inject = ['$location', 'viewState'];
    function NavController($location, viewState) {
        var ctrl = this;
        ctrl.items = NAV;
        ctrl.link = function (item) {
            return viewState.link(item.path);
        };
        ctrl.active = function (item) {
            return $location.path().indexOf(item.path) === 0;
        };
    }

    /**
     * The window and project picker, shown only on views whose figures depend on them: a
     * route says `usesWindow: false` when they do not (a change's grid, the collector).
     */
    WindowPickerController.$inject = ['$scope', '$route', 'viewState', 'radarApi', 'refresher'];
    function WindowPickerController($scope, $route, viewState, radarApi, refresher) {
        var ctrl = this;
        ctrl.presets = viewState.presets;
        ctrl.projects = [];
        ctrl.customOpen = false;
        ctrl.shown = false;

        ctrl.$onInit = function () {
            sync();
            loadProjects();
            // Back/forward and links change the URL: keep the controls in step with it.
            $scope.$on('$locationChangeSuccess', sync);
            $scope.$on('$routeChangeSuccess', function () {
                ctrl.shown = Boolean($route.current) && $route.current.usesWindow !== false;
            });
            refresher.watch($scope, loadProjects);
        };

        ctrl.choose = function (preset) {
            ctrl.customOpen = false;
            viewState.setWindow(preset);
        };

        ctrl.toggleCustom = function () {
            ctrl.customOpen = !ctrl.customOpen;
            if (ctrl.customOpen && !ctrl.sinceDate) {
                // Start from the last 14 days (today included): a sensible, editable default.
                var today = toDate(isoDate(new Date()));
                ctrl.untilDate = new Date(today.getTime() + 86400000);
                ctrl.sinceDate = new Date(today.getTime() - 13 * 86400000);
            }
        };

        ctrl.applyCustom = function () {
            var since = ctrl.sinceDate ? isoDate(ctrl.sinceDate) : '';
            var until = ctrl.untilDate ? isoDate(ctrl.untilDate) : null;
            ctrl.customError = viewState.validCustom(since, until);
            if (!ctrl.customError) {
                ctrl.customOpen = false;
                viewState.setCustom(since, until);
            }
        };

        ctrl.chooseProject = function () {
            viewState.setProject(ctrl.project);
        };

        function sync() {
            var state = viewState.current();
            ctrl.state = state;
            ctrl.project = state.project || '';
            if (state.custom) {
                ctrl.sinceDate = toDate(state.since);
                ctrl.untilDate = state.until ? toDate(state.until) : null;
            }
        }

        function loadProjects() {
            radarApi.projects().then(function (body) {
                ctrl.projects = body.projects.map(function (p) {
                    return p.name;
                });
            }, angular.noop);  // the banner or the views report failures
        }

        // input[type=date] binds Date objects; the URL holds UTC "YYYY-MM-DD" strings.
        function isoDate(date) {
            return date.toISOString().slice(0, 10);
        }

        function toDate(text) {
            var date = new Date(String(text).slice(0, 10) + 'T00:00:00Z');
            return isNaN(date.getTime()) ? null : date;
        }
    }

    FooterController.$inject = ['refresher', 'live', 'format'];
    function FooterController(refresher, live, format) {
        this.refresher = refresher;
        this.live = live;
        /** "5 min" reads better than "5m" in a sentence. */
        this.every = function () {
            var s = refresher.intervalS || 300;
            return s % 60 === 0 && s < 3600 ? (s / 60) + ' min' : format.duration(s);
        };
    }

    BannerController.$inject = ['connection'];
    function BannerController(connection) {
        this.connection = connection;
    }
})();
