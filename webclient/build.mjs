// Build the dashboard that radar-api serves into ../radar_api/webclient/ (package data of the
// wheel; generated, never committed):
//
//   index.html              no-cache: the one file that names the current bundles
//   assets/app.<hash>.js    vendor libraries, the app and its templates, minified
//   assets/app.<hash>.css   the styles, minified
//   *.gz                    gzip copies, served to browsers that accept gzip
//   .built                  stamp: scripts/lib.sh and setup.py rebuild when sources are newer
//
// Files under assets/ are named by their content, so radar_api/static.py lets browsers cache
// them for a year. The output depends only on the sources and the pinned npm packages.
import {readdirSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync} from 'node:fs';
import {join, relative, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';
import {gzipSync, constants as zlib} from 'node:zlib';
import * as esbuild from 'esbuild';

const HERE = fileURLToPath(new URL('.', import.meta.url));
// `node build.mjs DIR` builds into DIR instead (the tests check that two builds are equal).
const OUT = process.argv[2] ? resolve(process.argv[2]) : join(HERE, '..', 'radar_api', 'webclient');
const APP = join(HERE, 'app');
const TEMPLATES = 'radar-templates';
const COMPRESSIBLE = /\.(html|js|css|svg|json)$/;

/** Every file below `dir`, as paths relative to HERE with forward slashes, sorted. */
function filesUnder(dir, suffix) {
    return readdirSync(dir, {recursive: true})
        .map((name) => join(dir, name))
        .filter((path) => path.endsWith(suffix) && statSync(path).isFile())
        .map((path) => relative(HERE, path).split('\\').join('/'))
        .sort();
}

/**
 * The templates, put into $templateCache under the URLs the code asks for
 * ('app/core/nav.html'), so they ship inside the bundle: no request per template, and a
 * template always matches the code it was built with.
 */
const templatesPlugin = {
    name: TEMPLATES,
    setup(build) {
        build.onResolve({filter: new RegExp('^' + TEMPLATES + '$')}, () => ({
            path: TEMPLATES, namespace: TEMPLATES
        }));
        build.onLoad({filter: /.*/, namespace: TEMPLATES}, () => {
            const files = filesUnder(APP, '.html');
            const puts = files.map((url) => '  cache.put(' + JSON.stringify(url) + ', ' +
                JSON.stringify(readFileSync(join(HERE, url), 'utf8')) + ');');
            return {
                contents: "angular.module('radar.core').run(['$templateCache', function (cache) {\n" +
                    puts.join('\n') + '\n}]);\n',
                loader: 'js',
                watchFiles: files.map((url) => join(HERE, url))
            };
        });
    }
};

async function bundle() {
    return esbuild.build({
        absWorkingDir: HERE,
        entryPoints: {app: 'main.js'},
        bundle: true,
        minify: true,
        format: 'iife',
        target: 'es2019',
        entryNames: 'assets/[name].[hash]',
        outdir: OUT,
        metafile: true,
        logLevel: 'warning',
        plugins: [templatesPlugin]
    });
}

/** A script the entry does not import would silently be missing from the page. */
function checkEveryScriptIsBundled(metafile) {
    const bundled = new Set(Object.keys(metafile.inputs));
    const missing = filesUnder(APP, '.js').filter((path) => !bundled.has(path));
    if (missing.length) {
        throw new Error('main.js does not import ' + missing.join(', '));
    }
}

/** index.html with the bundles' hashed names in place of app.js and app.css. */
function writeIndex(metafile) {
    const outputs = Object.keys(metafile.outputs).map((path) => relative(OUT, join(HERE, path)));
    const named = (suffix) => {
        const found = outputs.filter((path) => path.endsWith(suffix));
        if (found.length !== 1) {
            throw new Error('expected one ' + suffix + ' bundle, got ' + found.join(', '));
        }
        return found[0].split('\\').join('/');
    };
    let html = readFileSync(join(HERE, 'index.html'), 'utf8');
    for (const [placeholder, suffix] of [['"app.css"', '.css'], ['"app.js"', '.js']]) {
        if (html.split(placeholder).length !== 2) {
            throw new Error('index.html must name ' + placeholder + ' exactly once');
        }
        html = html.replace(placeholder, '"' + named(suffix) + '"');
    }
    writeFileSync(join(OUT, 'index.html'), html);
}

/** A .gz next to each text file it makes smaller (gzip keeps no name or time: reproducible). */
function compress(dir) {
    for (const name of readdirSync(dir, {recursive: true})) {
        const path = join(dir, name);
        if (!COMPRESSIBLE.test(path) || !statSync(path).isFile()) {
            continue;
        }
        const raw = readFileSync(path);
        const gz = gzipSync(raw, {level: zlib.Z_BEST_COMPRESSION});
        if (gz.length < raw.length) {
            writeFileSync(path + '.gz', gz);
        }
    }
}

rmSync(OUT, {recursive: true, force: true});
mkdirSync(OUT, {recursive: true});
const result = await bundle();
checkEveryScriptIsBundled(result.metafile);
writeIndex(result.metafile);
compress(OUT);
writeFileSync(join(OUT, '.built'), '');
