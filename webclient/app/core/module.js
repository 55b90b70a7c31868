/**
 * radar.core: what every view shares. The one API service (radarApi), the window and project
 * kept in the URL (viewState), the auto-refresh clock (refresher), the API-down banner
 * (connection), formatting filters, badges, charts and the loading/error panel.
 */
(function () {
    'use strict';

    angular.module('radar.core', ['ngRoute'])
        // Chart.js is a global set by vendor.js; a constant lets directives inject it (and
        // tests stub it) like any other dependency.
        .constant('Chart', window.Chart)
        // How often to probe the API while it is down; short, so the banner goes soon after
        // the API is back.
        .constant('RECOVERY_PROBE_MS', 5000)
        .config(configure);

    configure.$inject = ['$compileProvider', '$locationProvider'];
    function configure($compileProvider, $locationProvider) {
        // Plain "#/systems" URLs: deep links work with any static file server, and they are
        // readable when pasted into chat.
        $locationProvider.hashPrefix('');
        $compileProvider.debugInfoEnabled(false);
        $compileProvider.commentDirectivesEnabled(false);
        $compileProvider.cssClassDirectivesEnabled(false);
    }
})();
