// The browser libraries, as globals: the app's files are plain scripts that use `angular`
// and `window.Chart` (core/module.js turns Chart into an injectable constant).
import 'angular';
import 'angular-route';
import {
    BarController, BarElement, CategoryScale, Chart, Filler, Legend, LinearScale, LineController,
    LineElement, PointElement, Tooltip
} from 'chart.js';

// Only what the views draw (line and bar charts), so the rest of Chart.js is left out.
Chart.register(BarController, BarElement, CategoryScale, Filler, Legend, LinearScale,
    LineController, LineElement, PointElement, Tooltip);
window.Chart = Chart;
