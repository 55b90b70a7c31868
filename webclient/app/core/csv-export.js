/**
 * CSV export of any table, as it is on screen (filtered and sorted rows, formatted figures).
 *
 * <radar-csv-export table="jobs-table" name="jobs" with-window></radar-csv-export> is a button
 * that downloads the table of id `table` as radar-jobs-<window>[-<project>].csv. A cell's text is what it
 * shows, with these refinements, declared in the templates:
 *   - `data-csv="..."` on a cell gives its value outright (a log link's URL, not "logs");
 *   - `data-csv-skip` leaves out a column (on its th and tds) or a part of a cell, and
 *     aria-hidden parts (sort arrows) are left out too;
 *   - a <time datetime="..."> gives that exact UTC time instead of "3 h ago";
 *   - `data-csv-item` parts of a cell (a report's jobs) are joined with "; ".
 *
 * The file is RFC 4180 (CRLF, quotes where needed) in UTF-8 with a byte order mark, so
 * spreadsheets read non-Latin names right. Names and messages come from Gerrit: a cell that a
 * spreadsheet would run as a formula (= + - @, tab, CR first) gets a leading apostrophe,
 * unless it is a plain number such as a vote of -1.
 */
(function () {
    'use strict';

    var FORMULA_START = /^[=+\-@\t\r]/;
    var PLAIN_NUMBER = /^[+-]?\d[\d,]*(\.\d+)?%?$/;
    var NEEDS_QUOTES = /[",\r\n]/;

    angular.module('radar.core')
        .factory('csvExport', csvExport)
        .component('radarCsvExport', {
            bindings: {table: '@', name: '@', withWindow: '@?'},
            template: '<button type="button" class="button button-small csv-export" ' +
                'ng-click="$ctrl.download()" title="Download this table as a CSV file">' +
                'CSV<span class="visually-hidden"> of this table</span></button>',
            controller: CsvExportController
        });

    csvExport.$inject = ['$window', '$timeout'];
    function csvExport($window, $timeout) {
        return {
            fromTable: fromTable,
            toCsv: toCsv,
            safe: safe,
            download: download
        };

        /** The header row and body rows of `table`, as text. */
        function fromTable(table) {
            var rows = [];
            angular.forEach(table.querySelectorAll('thead tr, tbody tr'), function (tr) {
                var cells = [];
                angular.forEach(tr.children, function (cell) {
                    if (!cell.hasAttribute('data-csv-skip')) {
                        cells.push(cellText(cell));
                    }
                });
                rows.push(cells);
            });
            return rows;
        }

        function cellText(cell) {
            if (cell.hasAttribute('data-csv')) {
                return cell.getAttribute('data-csv');
            }
            var items = cell.querySelectorAll('[data-csv-item]');
            if (items.length) {
                return Array.prototype.map.call(items, textOf).join('; ');
            }
            return textOf(cell);
        }

        /** The text of `node` as the rules above say, whitespace collapsed. */
        function textOf(node) {
            return collect(node).replace(/\s+/g, ' ').trim();
        }

        function collect(node) {
            if (node.nodeType === 3) {
                return node.nodeValue;
            }
            if (node.nodeType !== 1 || node.hasAttribute('data-csv-skip') ||
                node.getAttribute('aria-hidden') === 'true') {
                return '';
            }
            if (node.hasAttribute('data-csv')) {
                return ' ' + node.getAttribute('data-csv') + ' ';
            }
            if (node.tagName === 'TIME' && node.getAttribute('datetime')) {
                return ' ' + node.getAttribute('datetime') + ' ';
            }
            var text = '';
            angular.forEach(node.childNodes, function (child) {
                text += collect(child);
            });
            // Block-level children (a project under a change) are separate words.
            return /^(DIV|P|LI|BR)$/.test(node.tagName) ? ' ' + text + ' ' : text;
        }

        /** RFC 4180 text of `rows` (arrays of strings), every cell made safe first. */
        function toCsv(rows) {
            return rows.map(function (cells) {
                return cells.map(function (cell) {
                    var text = safe(cell);
                    return NEEDS_QUOTES.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
                }).join(',');
            }).join('\r\n') + '\r\n';
        }

        /** A cell a spreadsheet will show, never run. */
        function safe(value) {
            var text = value === null || value === undefined ? '' : String(value);
            return FORMULA_START.test(text) && !PLAIN_NUMBER.test(text) ? "'" + text : text;
        }

        function download(filename, rows) {
            var blob = new $window.Blob(['\ufeff' + toCsv(rows)], {type: 'text/csv;charset=utf-8'});
            var url = $window.URL.createObjectURL(blob);
            var link = $window.document.createElement('a');
            link.href = url;
            link.download = filename;
            link.style.display = 'none';
            $window.document.body.appendChild(link);
            link.click();
            link.remove();
            // Long enough for the browser to start saving it.
            $timeout(function () {
                $window.URL.revokeObjectURL(url);
            }, 10000, false);
        }
    }

    CsvExportController.$inject = ['$document', 'csvExport', 'viewState'];
    function CsvExportController($document, csvExport, viewState) {
        var ctrl = this;
        ctrl.download = function () {
            var table = $document[0].getElementById(ctrl.table);
            if (table) {
                csvExport.download(filename(), csvExport.fromTable(table));
            }
        };

        /** radar-<name>[-<window>][-<project>].csv, in characters safe in any file system. */
        function filename() {
            var parts = ['radar', ctrl.name];
            if (ctrl.withWindow !== undefined) {
                var state = viewState.current();
                parts.push(state.custom ? state.since + '_' + (state.until || 'now') : state.window);
                if (state.project) {
                    parts.push(state.project);
                }
            }
            return parts.join('-').replace(/[^A-Za-z0-9._-]+/g, '-') + '.csv';
        }
    }
})();
