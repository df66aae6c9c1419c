/* SPDX-License-Identifier: MIT */
#include "zp_test.h"
#include "config.h"

#include <string.h>
#include <unistd.h>

/* Load text as "site.ini"; err gets the message (or "" on success). */
static int load(const char *text, zp_config *c, char *err, size_t errlen)
{
	err[0] = '\0';
	return zp_config_load_string(text, "site.ini", c, err, errlen);
}

/* The text must fail with exactly this code and message. */
#define ASSERT_LOAD_FAILS(text, code, msg)                                                    \
	do {                                                                                  \
		static zp_config c_;                                                          \
		char err_[512];                                                               \
		ck_assert_int_eq(load((text), &c_, err_, sizeof(err_)), (code));              \
		ck_assert_str_eq(err_, (msg));                                                \
		ck_assert_ptr_null(strchr(err_, '\n'));                                       \
	} while (0)

static const char good[] =
	"\xEF\xBB\xBF; a site file with every section\r\n"
	"[site]\r\n"
	"name = Hauptstrasse 12\n"
	"crossing_length_m = 7.5\n"
	"walking_speed_mps = 0.9 ; slower: a school\n"
	"\n"
	"[detector]\n"
	"  threshold = 30\n"
	"scale: 4\n"
	"max_fg_fraction = 0.5\n"
	"min_area = 500\n"
	"[lights]\n"
	"failsafe = blink\n"
	"shutdown = off\n"
	"min_on_ms = 8000\n"
	"[gpio]\n"
	"chip = gpiochip0\n"
	"line = 17\n"
	"active_low = yes\n"
	"heartbeat_line = 27\n"
	"button_line = 22\n"
	"[camera]\n"
	"device = /dev/video2\n"
	"width = 1280\n"
	"height = 720\n"
	"pixelformat = MJPG\n"
	"control.exposure_time_absolute = 250\n"
	"control.auto_exposure = 1\n"
	"[store]\n"
	"path = /var/lib/zebrapad/counts.db\n"
	"interval_s = 300\n"
	"retention_days = 90\n"
	"[ground]\n"
	"point = 100,400 0,0\n"
	"point = 540,400 3.5,0\n"
	"point = 500,200 3.5,7.5\n"
	"point = 140,200 0,7.5\n"
	"# zones\n"
	"[zone kerb-north]\n"
	"role = waiting\n"
	"polygon = 100,100 540,100\n"
	"          540,180\n"
	"\n"
	"          100,180   ; four points over three lines\n"
	"[ zone   road ]\n"
	"polygon = 100,200 540,200 540,400 100,400\n"
	"role = crossing\n";

START_TEST(good_file_loads_with_values)
{
	static zp_config c;
	char err[512];

	ck_assert_msg(load(good, &c, err, sizeof(err)) == ZP_OK, "%s", err);
	ck_assert_str_eq(c.path, "site.ini");
	ck_assert_str_eq(c.site.name, "Hauptstrasse 12");
	ck_assert_double_eq_tol(c.site.crossing_length_m, 7.5, 1e-12);
	ck_assert_double_eq_tol(c.site.walking_speed_mps, 0.9, 1e-12);
	ck_assert_int_eq(c.detector.threshold, 30);
	ck_assert_int_eq(c.detector.scale, 4);
	ck_assert_double_eq_tol(c.detector.max_fg_fraction, 0.5, 1e-12);
	ck_assert_int_eq(c.detector.min_area, 500);
	ck_assert_int_eq(c.detector.max_area, 0); /* default kept: auto */
	ck_assert_int_eq(c.lights.failsafe, ZP_FAILSAFE_BLINK);
	ck_assert_int_eq(c.lights.shutdown, ZP_FAILSAFE_OFF);
	ck_assert_int_eq(c.lights.min_on_ms, 8000);
	ck_assert_int_eq(c.lights.hold_ms, 3000);
	ck_assert_str_eq(c.gpio.chip, "gpiochip0");
	ck_assert_int_eq(c.gpio.line, 17);
	ck_assert(c.gpio.active_low);
	ck_assert_int_eq(c.gpio.heartbeat_line, 27);
	ck_assert_int_eq(c.gpio.button_line, 22);
	ck_assert(c.gpio.button_active_low);
	ck_assert_str_eq(c.camera.device, "/dev/video2");
	ck_assert_int_eq(c.camera.width, 1280);
	ck_assert_int_eq(c.camera.height, 720);
	ck_assert_str_eq(c.camera.pixelformat, "MJPG");
	ck_assert_int_eq(c.camera.ncontrols, 2);
	ck_assert_str_eq(c.camera.controls[0].name, "exposure_time_absolute");
	ck_assert_int_eq(c.camera.controls[0].value, 250);
	ck_assert_str_eq(c.camera.controls[1].name, "auto_exposure");
	ck_assert_int_eq(c.camera.controls[1].value, 1);
	ck_assert_str_eq(c.store.path, "/var/lib/zebrapad/counts.db");
	ck_assert_int_eq(c.store.interval_s, 300);
	ck_assert_int_eq(c.store.retention_days, 90);
	ck_assert_int_eq(c.nground, 4);
	ck_assert_double_eq(c.ground_img[1].x, 540);
	ck_assert_double_eq(c.ground_img[1].y, 400);
	ck_assert_double_eq(c.ground_world[1].x, 3.5);
	ck_assert_double_eq(c.ground_world[2].y, 7.5);
	ck_assert_int_eq(c.nzones, 2);
	ck_assert_str_eq(c.zones[0].name, "kerb-north");
	ck_assert_int_eq(c.zones[0].role, ZP_ROLE_WAITING);
	ck_assert_int_eq(c.zones[0].poly.n, 4);
	ck_assert_double_eq(c.zones[0].poly.p[2].x, 540);
	ck_assert_double_eq(c.zones[0].poly.p[2].y, 180);
	ck_assert_double_eq(c.zones[0].poly.p[3].x, 100);
	ck_assert_double_eq(c.zones[0].poly.p[3].y, 180);
	ck_assert_str_eq(c.zones[1].name, "road");
	ck_assert_int_eq(c.zones[1].role, ZP_ROLE_CROSSING);
	ck_assert_int_eq(c.zones[1].poly.n, 4);
	ck_assert_int_eq(zp_config_check_frame(&c, 640, 480, err, sizeof(err)), ZP_OK);
}
END_TEST

START_TEST(defaults)
{
	static zp_config c;
	char err[256];

	zp_config_default(&c);
	ck_assert_int_eq(c.nzones, 0);
	ck_assert_int_eq(c.nground, 0);
	ck_assert_double_eq_tol(c.site.walking_speed_mps, 1.07, 1e-12);
	ck_assert_int_eq(c.detector.scale, 0); /* auto */
	ck_assert_int_eq(c.detector.threshold, 20);
	ck_assert_int_eq(c.detector.learn_shift, 6);
	ck_assert_int_eq(c.detector.warmup_frames, 50);
	ck_assert_int_eq(c.detector.vote_radius, -1);
	ck_assert_int_eq(c.detector.open_radius, 0);
	ck_assert_int_eq(c.detector.close_radius, -1);
	ck_assert_int_eq(c.detector.min_area, 0); /* auto: from the frame size */
	ck_assert_int_eq(c.detector.max_area, 0);
	ck_assert_int_eq(c.detector.track_max_missed, 10);
	ck_assert_double_eq(c.detector.track_max_dist, 0);
	ck_assert_int_eq(c.detector.track_min_hits, 3);
	ck_assert_int_eq(c.detector.still_hold_ms, 120000);
	ck_assert_int_eq(c.detector.ghost_fade_ms, 20000);
	ck_assert_int_eq(c.detector.dark_luma, 20);
	ck_assert_int_eq(c.detector.blind_luma, 235);
	ck_assert_int_eq(c.detector.flat_stddev, 4);
	ck_assert_int_eq(c.detector.frozen_ms, 3000);
	ck_assert_double_eq(c.detector.max_fg_fraction, 0.6);
	ck_assert_int_eq(c.lights.min_on_ms, 6000);
	ck_assert_int_eq(c.lights.hold_ms, 3000);
	ck_assert_int_eq(c.lights.stall_ms, 1000);
	ck_assert_int_eq(c.lights.bad_health_ms, 2000);
	ck_assert_int_eq(c.lights.recover_ms, 5000);
	ck_assert_int_eq(c.lights.blink_ms, 500);
	ck_assert_int_eq(c.lights.failsafe, ZP_FAILSAFE_ON);
	ck_assert_int_eq(c.lights.shutdown, ZP_FAILSAFE_ON);
	ck_assert_str_eq(c.gpio.chip, "");
	ck_assert_int_eq(c.gpio.line, -1);
	ck_assert(!c.gpio.active_low);
	ck_assert_int_eq(c.gpio.heartbeat_line, -1);
	ck_assert_int_eq(c.gpio.button_line, -1);
	ck_assert(c.gpio.button_active_low);
	ck_assert_int_eq(c.gpio.button_hold_ms, 10000);
	ck_assert_str_eq(c.camera.device, "/dev/video0");
	ck_assert_int_eq(c.camera.width, 640);
	ck_assert_int_eq(c.camera.height, 480);
	ck_assert_int_eq(c.camera.fps, 15);
	ck_assert_str_eq(c.camera.pixelformat, "auto");
	ck_assert_int_eq(c.camera.buffers, 4);
	ck_assert_int_eq(c.camera.timeout_ms, 1000);
	ck_assert_int_eq(c.camera.retry_min_ms, 250);
	ck_assert_int_eq(c.camera.retry_max_ms, 8000);
	ck_assert_int_eq(c.camera.ncontrols, 0);
	ck_assert_str_eq(c.store.path, "");
	ck_assert_int_eq(c.store.interval_s, 60);
	ck_assert_int_eq(c.store.retention_days, 365);
	/* the defaults pass their own checks, and an empty file is the defaults */
	ck_assert_int_eq(zp_detector_params_check(&c.detector, err, sizeof(err)), ZP_OK);
	ck_assert_int_eq(zp_lights_params_check(&c.lights, err, sizeof(err)), ZP_OK);
	ck_assert_int_eq(load("", &c, err, sizeof(err)), ZP_OK);
	ck_assert_int_eq(load("; only a comment\n\n", &c, err, sizeof(err)), ZP_OK);
	ck_assert_int_eq(c.detector.threshold, 20);
}
END_TEST

START_TEST(unknown_section)
{
	ASSERT_LOAD_FAILS("[detector]\nthreshold = 20\n; 3\n; 4\n; 5\n\n[zonez]\n", ZP_EINVAL,
			  "site.ini:7: unknown section [zonez] (expected detector, lights, gpio, camera, store, site, "
			  "ground, export, health or 'zone NAME')");
	/* section names are case-sensitive */
	ASSERT_LOAD_FAILS("[Detector]\nthreshold = 20\n", ZP_EINVAL,
			  "site.ini:1: unknown section [Detector] (expected detector, lights, gpio, camera, store, site, "
			  "ground, export, health or 'zone NAME')");
	ASSERT_LOAD_FAILS("[zones north]\n", ZP_EINVAL,
			  "site.ini:1: unknown section [zones north] (expected detector, lights, gpio, camera, store, "
			  "site, ground, export, health or 'zone NAME')");
}
END_TEST

START_TEST(unknown_key)
{
	ASSERT_LOAD_FAILS("; 1\n; 2\n; 3\n; 4\n; 5\n; 6\n; 7\n[detector]\ntreshold = 20\n", ZP_EINVAL,
			  "site.ini:9: [detector] unknown key 'treshold'");
	ASSERT_LOAD_FAILS("[lights]\nmin_on = 5\n", ZP_EINVAL, "site.ini:2: [lights] unknown key 'min_on'");
	ASSERT_LOAD_FAILS("[gpio]\npin = 5\n", ZP_EINVAL, "site.ini:2: [gpio] unknown key 'pin'");
	ASSERT_LOAD_FAILS("[camera]\nwidht = 5\n", ZP_EINVAL, "site.ini:2: [camera] unknown key 'widht'");
	ASSERT_LOAD_FAILS("[store]\ndb = x\n", ZP_EINVAL, "site.ini:2: [store] unknown key 'db'");
	ASSERT_LOAD_FAILS("[site]\ntown = x\n", ZP_EINVAL,
			  "site.ini:2: [site] unknown key 'town' (expected name, crossing_length_m, walking_speed_mps)");
	ASSERT_LOAD_FAILS("[ground]\npoints = 1,2 3,4\n", ZP_EINVAL,
			  "site.ini:2: [ground] unknown key 'points' (expected point = px,py mx,my)");
	ASSERT_LOAD_FAILS("[zone a]\nrole = waiting\nshape = 1,1 2,2 3,1\n", ZP_EINVAL,
			  "site.ini:3: [zone a] unknown key 'shape' (expected polygon, role or sides)");
	ASSERT_LOAD_FAILS("threshold = 20\n", ZP_EINVAL,
			  "site.ini:1: key 'threshold' before any [section] (expected a [section] line above it)");
	ASSERT_LOAD_FAILS("[detector]\n= 20\n", ZP_EINVAL,
			  "site.ini:2: missing key name before '=' (expected key = value)");
}
END_TEST

static const char zone_head[] = "; 1\n; 2\n; 3\n; 4\n; 5\n; 6\n; 7\n; 8\n; 9\n[zone kerb-north]\nrole = waiting\n";

static void assert_polygon_error(const char *polygon_line, const char *msg)
{
	char text[512];

	snprintf(text, sizeof(text), "%s%s\n[detector]\nthreshold = 20\n", zone_head, polygon_line);
	ASSERT_LOAD_FAILS(text, ZP_EINVAL, msg);
}

START_TEST(malformed_polygon)
{
	assert_polygon_error("polygon = 1,2 3;4 5,6",
			     "site.ini:12: [zone kerb-north] polygon: expected x,y at point 2, got '3;4'");
	assert_polygon_error("polygon = 1,2 3,4 5,6 7",
			     "site.ini:12: [zone kerb-north] polygon: expected x,y at point 4, got '7'");
	assert_polygon_error("polygon = 1 2 3 4 5 6",
			     "site.ini:12: [zone kerb-north] polygon: expected x,y at point 1, got '1'");
	assert_polygon_error("polygon = 10,10 20,10 20,20 10,10",
			     "site.ini:12: [zone kerb-north] polygon: point 4 repeats point 1 (10,10)");
}
END_TEST

START_TEST(self_intersecting_polygon)
{
	assert_polygon_error("polygon = 0,0 10,10 10,0 0,10",
			     "site.ini:12: [zone kerb-north] polygon: self-intersecting polygon");
	/* all points on one line folds back on itself */
	assert_polygon_error("polygon = 0,0 5,5 10,10",
			     "site.ini:12: [zone kerb-north] polygon: self-intersecting polygon");
}
END_TEST

START_TEST(too_few_points)
{
	assert_polygon_error("polygon = 1,2 3,4",
			     "site.ini:12: [zone kerb-north] polygon: expected at least 3 points as x,y");
	assert_polygon_error("polygon =", "site.ini:12: [zone kerb-north] polygon: expected at least 3 points as x,y");
	/* the error names the polygon's line even when the next key is far below */
	ASSERT_LOAD_FAILS("[zone a]\npolygon = 1,1 2,2\n\n; later\nrole = waiting\n", ZP_EINVAL,
			  "site.ini:2: [zone a] polygon: expected at least 3 points as x,y");
	/* and at the end of the file */
	ASSERT_LOAD_FAILS("[zone a]\nrole = waiting\npolygon = 1,1 2,2\n", ZP_EINVAL,
			  "site.ini:3: [zone a] polygon: expected at least 3 points as x,y");
}
END_TEST

START_TEST(bad_numbers)
{
	ASSERT_LOAD_FAILS("; 1\n[detector]\nthreshold = abc\n", ZP_EINVAL,
			  "site.ini:3: [detector] threshold: expected an integer from 1 to 255, got 'abc'");
	ASSERT_LOAD_FAILS("[detector]\nthreshold = 300\n", ZP_EINVAL,
			  "site.ini:2: [detector] threshold: expected an integer from 1 to 255, got '300'");
	/* '#' is no inline comment: the value is the whole rest */
	ASSERT_LOAD_FAILS("[detector]\nthreshold = 20 # twenty\n", ZP_EINVAL,
			  "site.ini:2: [detector] threshold: expected an integer from 1 to 255, got '20 # twenty'");
	ASSERT_LOAD_FAILS("[detector]\nscale = 3\n", ZP_EINVAL,
			  "site.ini:2: [detector] scale: expected auto, 1, 2 or 4, got '3'");
	ASSERT_LOAD_FAILS("[detector]\nmax_fg_fraction = 1.5\n", ZP_EINVAL,
			  "site.ini:2: [detector] max_fg_fraction: expected a number from 0.01 to 1, got '1.5'");
	ASSERT_LOAD_FAILS("[lights]\nfailsafe = maybe\n", ZP_EINVAL,
			  "site.ini:2: [lights] failsafe: expected on, blink or off, got 'maybe'");
	ASSERT_LOAD_FAILS("[gpio]\nactive_low = 2\n", ZP_EINVAL,
			  "site.ini:2: [gpio] active_low: expected true or false, got '2'");
	ASSERT_LOAD_FAILS("[gpio]\nline = -2\n", ZP_EINVAL,
			  "site.ini:2: [gpio] line: expected an integer from -1 to 4095, got '-2'");
	ASSERT_LOAD_FAILS("[camera]\nbuffers = 2\n", ZP_EINVAL,
			  "site.ini:2: [camera] buffers: expected an integer from 3 to 32, got '2'");
	ASSERT_LOAD_FAILS("[camera]\ncontrol.gain = high\n", ZP_EINVAL,
			  "site.ini:2: [camera] control.gain: expected an integer, got 'high'");
	ASSERT_LOAD_FAILS("[camera]\ncontrol.Gain = 1\n", ZP_EINVAL,
			  "site.ini:2: [camera] control.Gain: expected control.NAME with NAME of lower-case letters, "
			  "digits and '_' (at most 47), got 'control.Gain'");
	ASSERT_LOAD_FAILS("[store]\ninterval_s = 0\n", ZP_EINVAL,
			  "site.ini:2: [store] interval_s: expected an integer from 1 to 3600, got '0'");
	ASSERT_LOAD_FAILS("[store]\nretention_days = 3651\n", ZP_EINVAL,
			  "site.ini:2: [store] retention_days: expected an integer from 1 to 3650, got '3651'");
	ASSERT_LOAD_FAILS("[site]\nwalking_speed_mps = fast\n", ZP_EINVAL,
			  "site.ini:2: [site] walking_speed_mps: expected a number from 0.1 to 3, got 'fast'");
	ASSERT_LOAD_FAILS("[zone a]\nrole = kerb\n", ZP_EINVAL,
			  "site.ini:2: [zone a] role: expected crossing or waiting, got 'kerb'");
}
END_TEST

START_TEST(checks_across_keys)
{
	ASSERT_LOAD_FAILS("[detector]\nmin_area = 500\nmax_area = 400\n", ZP_EINVAL,
			  "site.ini: [detector] min_area (500) must not exceed max_area (400)");
	ASSERT_LOAD_FAILS("[detector]\nmin_area = 70000\n", ZP_EINVAL,
			  "site.ini: [detector] min_area (70000) must not exceed max_area (auto: 60000 at 640x480, "
			  "more for larger frames; set max_area)");
	ASSERT_LOAD_FAILS("[detector]\nmax_area = 300\n", ZP_EINVAL,
			  "site.ini: [detector] max_area (300) must not be below min_area (auto: 400 at 640x480, "
			  "more for larger frames; set min_area)");
	ASSERT_LOAD_FAILS("[detector]\ndark_luma = 200\nblind_luma = 100\n", ZP_EINVAL,
			  "site.ini: [detector] dark_luma (200) must be below blind_luma (100)");
	ASSERT_LOAD_FAILS("[camera]\nretry_min_ms = 9000\n", ZP_EINVAL,
			  "site.ini: [camera] retry_min_ms (9000) must not exceed retry_max_ms (8000)");
	ASSERT_LOAD_FAILS("[gpio]\nline = 17\nbutton_line = 17\n", ZP_EINVAL,
			  "site.ini: [gpio] line and button_line are the same line (17)");
}
END_TEST

START_TEST(zone_errors)
{
	ASSERT_LOAD_FAILS("[zone a]\nrole = waiting\npolygon = 0,0 10,0 10,10\nrole = crossing\n", ZP_EINVAL,
			  "site.ini:4: [zone a] duplicate key 'role' (first set on line 2)");
	ASSERT_LOAD_FAILS("[zone a]\npolygon = 0,0 10,0 10,10\npolygon = 0,0 2,0 2,2\n", ZP_EINVAL,
			  "site.ini:3: [zone a] duplicate key 'polygon' (first set on line 2)");
	ASSERT_LOAD_FAILS("[zone a]\nrole = waiting\npolygon = 0,0 10,0 10,10\n[zone b]\n[zone a]\n", ZP_EINVAL,
			  "site.ini:5: [zone a] duplicate zone name (first on line 1)");
	ASSERT_LOAD_FAILS("[zone]\nrole = waiting\n", ZP_EINVAL,
			  "site.ini:1: [zone] zone name is empty (expected [zone NAME])");
	ASSERT_LOAD_FAILS("[zone   ]\n", ZP_EINVAL, "site.ini:1: [zone] zone name is empty (expected [zone NAME])");
	ASSERT_LOAD_FAILS("[zone abcdefghijabcdefghijabcdefghij12]\n", ZP_EINVAL,
			  "site.ini:1: [zone abcdefghijabcdefghijabcdefghij12] zone name too long (at most 31 characters)");
	ASSERT_LOAD_FAILS("[zone kerb north]\n", ZP_EINVAL,
			  "site.ini:1: [zone kerb north] zone name has a bad character ' ' (expected letters, digits, "
			  "'-', '_' or '.')");
	ASSERT_LOAD_FAILS("[zone a]\nrole = waiting\n", ZP_EINVAL, "site.ini: zone a: missing key 'polygon'");
	ASSERT_LOAD_FAILS("[zone a]\npolygon = 0,0 10,0 10,10\n", ZP_EINVAL,
			  "site.ini: zone a: missing key 'role' (crossing or waiting)");
	/* an empty zone section is still a zone */
	ASSERT_LOAD_FAILS("[zone a]\n[detector]\nthreshold = 9\n", ZP_EINVAL, "site.ini: zone a: missing key 'polygon'");
}
END_TEST

#define KERBS "[zone n]\nrole = waiting\npolygon = 0,0 10,0 10,10\n[zone s]\nrole = waiting\npolygon = 0,20 10,20 10,30\n"
#define ROAD "[zone road]\nrole = crossing\npolygon = 0,11 10,11 10,19\n"

/* A crossing's sides: given, defaulted from exactly two waiting zones, or none; bad ones named. */
START_TEST(crossing_sides)
{
	static zp_config c;
	char err[256];

	ck_assert_int_eq(load(KERBS ROAD, &c, err, sizeof(err)), ZP_OK);
	ck_assert_int_eq(c.zones[2].side[0], 0);
	ck_assert_int_eq(c.zones[2].side[1], 1);
	ck_assert_int_eq(c.zones[0].side[0], -1);
	ck_assert_int_eq(load(KERBS ROAD "sides = s, n\n", &c, err, sizeof(err)), ZP_OK);
	ck_assert_int_eq(c.zones[2].side[0], 1);
	ck_assert_int_eq(c.zones[2].side[1], 0);
	ck_assert_int_eq(load(KERBS "[zone e]\nrole = waiting\npolygon = 20,0 30,0 30,10\n" ROAD, &c, err, sizeof(err)),
			 ZP_OK);
	ck_assert_int_eq(c.zones[3].side[0], -1); /* three kerbs: which two is not guessed */
	ASSERT_LOAD_FAILS(KERBS ROAD "sides = n\n", ZP_EINVAL,
			  "site.ini:10: [zone road] sides: expected two waiting zones as A, B, got 'n'");
	ASSERT_LOAD_FAILS(KERBS ROAD "sides = n, x\n", ZP_EINVAL,
			  "site.ini:10: [zone road] sides: expected two waiting zones as A, B, got 'n, x'");
	ASSERT_LOAD_FAILS(KERBS ROAD "sides = n, road\n", ZP_EINVAL,
			  "site.ini:10: [zone road] sides: expected two waiting zones as A, B, got 'n, road'");
	ASSERT_LOAD_FAILS(KERBS ROAD "sides = n, s, n\n", ZP_EINVAL,
			  "site.ini:10: [zone road] sides: expected two waiting zones as A, B, got 'n, s, n'");
	ASSERT_LOAD_FAILS(KERBS ROAD "sides = n, n\n", ZP_EINVAL,
			  "site.ini:10: [zone road] sides: expected two different zones, got 'n, n'");
	ASSERT_LOAD_FAILS(ROAD "[zone n]\nrole = waiting\nsides = n, n\npolygon = 0,0 10,0 10,10\n", ZP_EINVAL,
			  "site.ini:6: [zone n] sides: only a crossing zone has sides");
}
END_TEST

START_TEST(too_many_zones)
{
	char text[4096] = "";
	static zp_config c;
	char err[512];

	for (int i = 0; i < ZP_MAX_ZONES; i++)
		sprintf(text + strlen(text), "[zone z%d]\nrole = waiting\npolygon = 0,0 10,0 10,%d\n", i, i + 1);
	ck_assert_msg(load(text, &c, err, sizeof(err)) == ZP_OK, "%s", err);
	ck_assert_int_eq(c.nzones, ZP_MAX_ZONES);
	strcat(text, "[zone one-more]\n");
	ASSERT_LOAD_FAILS(text, ZP_EINVAL, "site.ini:49: [zone one-more] too many zones (max 16)");
}
END_TEST

START_TEST(ground_points)
{
	ASSERT_LOAD_FAILS("[ground]\npoint = 0,0 0,0\npoint = 10,0 1,0\npoint = 10,10 1,1\n", ZP_EINVAL,
			  "site.ini: [ground] needs at least 4 point lines, got 3");
	ASSERT_LOAD_FAILS("[ground]\npoint = 0,0\n", ZP_EINVAL,
			  "site.ini:2: [ground] point: expected 'px,py mx,my' (image pixels, then metres; -100000 to "
			  "100000), got '0,0'");
	ASSERT_LOAD_FAILS("[ground]\npoint = 0,0 1,1 2,2\n", ZP_EINVAL,
			  "site.ini:2: [ground] point: expected 'px,py mx,my' (image pixels, then metres; -100000 to "
			  "100000), got '0,0 1,1 2,2'");
	ASSERT_LOAD_FAILS("[ground]\npoint = 0,0 nan,1\n", ZP_EINVAL,
			  "site.ini:2: [ground] point: expected 'px,py mx,my' (image pixels, then metres; -100000 to "
			  "100000), got '0,0 nan,1'");
	ASSERT_LOAD_FAILS("[ground]\npoint = 5,5 0,0\npoint = 5,5 1,0\n", ZP_EINVAL,
			  "site.ini:3: [ground] point: image point 5,5 repeats line 2");
}
END_TEST

START_TEST(zone_outside_frame)
{
	static zp_config c;
	char err[512];

	ck_assert_int_eq(load("[zone kerb-north]\nrole = waiting\npolygon = 10,10 700,10 700,100\n", &c, err,
			      sizeof(err)), ZP_OK);
	ck_assert_int_eq(zp_config_check_frame(&c, 640, 480, err, sizeof(err)), ZP_EINVAL);
	ck_assert_str_eq(err, "site.ini: zone kerb-north: point (700,10) outside the 640x480 frame");
	ck_assert_int_eq(zp_config_check_frame(&c, 768, 576, err, sizeof(err)), ZP_OK);
	/* width is exclusive: x = 640 is already outside */
	ck_assert_int_eq(load("[zone a]\nrole = waiting\npolygon = 0,0 639,0 639,479.5\n", &c, err, sizeof(err)),
			 ZP_OK);
	ck_assert_int_eq(zp_config_check_frame(&c, 640, 480, err, sizeof(err)), ZP_EINVAL);
	ck_assert_str_eq(err, "site.ini: zone a: point (639,479.5) outside the 640x480 frame");
}
END_TEST

START_TEST(syntax_error)
{
	ASSERT_LOAD_FAILS("[detector]\nthreshold = 20\nthreshold 30\n", ZP_EINVAL,
			  "site.ini:3: syntax error (expected key = value or [section])");
	ASSERT_LOAD_FAILS("[detector\nthreshold = 20\n", ZP_EINVAL,
			  "site.ini:1: syntax error (expected key = value or [section])");
	/* the first error wins: a syntax error before a bad key ... */
	ASSERT_LOAD_FAILS("[detector]\noops\ntreshold = 1\n", ZP_EINVAL,
			  "site.ini:2: syntax error (expected key = value or [section])");
	/* ... and a bad key before a syntax error */
	ASSERT_LOAD_FAILS("[detector]\ntreshold = 1\noops\n", ZP_EINVAL, "site.ini:2: [detector] unknown key 'treshold'");
	/* an indented line continues only a polygon */
	ASSERT_LOAD_FAILS("[detector]\nthreshold = 20\n    30\n", ZP_EINVAL,
			  "site.ini:3: [detector] indented line continues 'threshold'; only polygon may go on over "
			  "several lines (remove the indentation, or write key = value)");
	/* an indented line with nothing above to continue */
	ASSERT_LOAD_FAILS("[detector]\n    30\n", ZP_EINVAL, "site.ini:2: syntax error (expected key = value or [section])");
}
END_TEST

START_TEST(long_lines)
{
	char text[1024];
	char pts[600] = "";

	/* 197 characters is inih's limit: a longer line is an error, not cut in two */
	snprintf(text, sizeof(text), "[site]\nname = %0*d\n", 191, 0);
	ASSERT_LOAD_FAILS(text, ZP_EINVAL,
			  "site.ini:2: line too long (at most 197 characters; continue a long polygon on indented lines)");
	/* 32 points over several lines */
	for (int i = 0; i < 32; i++)
		sprintf(pts + strlen(pts), "%d,%d%s", 100 + (i % 2) * 300 + i, 100 + i * 10, i % 8 == 7 ? "\n  " : " ");
	snprintf(text, sizeof(text), "[zone long]\nrole = crossing\npolygon = %s\n", pts);
	{
		static zp_config c;
		char err[512];

		/* a zig-zag is self-intersecting, so check just the parse: 32 points read */
		ck_assert_int_eq(load(text, &c, err, sizeof(err)), ZP_EINVAL);
		ck_assert_str_eq(err, "site.ini:3: [zone long] polygon: self-intersecting polygon");
	}
	pts[0] = '\0';
	for (int i = 0; i < 16; i++)
		sprintf(pts + strlen(pts), "%d,%d%s", 100 + i * 20, 100 + (i % 2) * 5, i % 6 == 5 ? "\n  " : " ");
	for (int i = 15; i >= 0; i--)
		sprintf(pts + strlen(pts), "%d,%d%s", 100 + i * 20, 300 + (i % 2) * 5, i % 6 == 0 ? "\n  " : " ");
	snprintf(text, sizeof(text), "[zone long]\nrole = crossing\npolygon = %s\n", pts);
	{
		static zp_config c;
		char err[512];

		ck_assert_msg(load(text, &c, err, sizeof(err)) == ZP_OK, "%s", err);
		ck_assert_int_eq(c.zones[0].poly.n, 32);
		ck_assert_double_eq(c.zones[0].poly.p[31].x, 100);
		ck_assert_double_eq(c.zones[0].poly.p[31].y, 300);
	}
	strcat(pts, " 1,1");
	snprintf(text, sizeof(text), "[zone long]\nrole = crossing\npolygon = %s\n", pts);
	ASSERT_LOAD_FAILS(text, ZP_EINVAL, "site.ini:3: [zone long] polygon: too many points (max 32)");
}
END_TEST

START_TEST(missing_file)
{
	static zp_config c;
	char err[512];

	ck_assert_int_eq(zp_config_load("/nonexistent/site.ini", &c, err, sizeof(err)), ZP_ENODEV);
	ck_assert_str_eq(err, "/nonexistent/site.ini: cannot open (No such file or directory)");
}
END_TEST

/* Write n bytes of text (n = 0: all of it) to a temporary file; its path goes to buf. */
static void write_temp(char *buf, size_t len, const char *text, size_t n)
{
	if (n == 0)
		n = strlen(text);
	int fd;

	snprintf(buf, len, "/tmp/zp_test_config_XXXXXX");
	fd = mkstemp(buf);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, n), (ssize_t)n);
	close(fd);
}

START_TEST(file_errors_name_the_file)
{
	static zp_config c;
	char path[64], err[512], want[600];
	static const char nul[] = "[detector]\nthreshold = 2\0 0\n";

	write_temp(path, sizeof(path), "[detector]\n\ntreshold = 2\n", 0);
	ck_assert_int_eq(zp_config_load(path, &c, err, sizeof(err)), ZP_EINVAL);
	snprintf(want, sizeof(want), "%s:3: [detector] unknown key 'treshold'", path);
	ck_assert_str_eq(err, want);
	unlink(path);
	write_temp(path, sizeof(path), nul, sizeof(nul) - 1);
	ck_assert_int_eq(zp_config_load(path, &c, err, sizeof(err)), ZP_EINVAL);
	snprintf(want, sizeof(want), "%s:2: a NUL byte (expected a text file)", path);
	ck_assert_str_eq(err, want);
	unlink(path);
	write_temp(path, sizeof(path), "[detector]\nthreshold = 33\n", 0);
	ck_assert_int_eq(zp_config_load(path, &c, err, sizeof(err)), ZP_OK);
	ck_assert_int_eq(c.detector.threshold, 33);
	ck_assert_str_eq(c.path, path);
	unlink(path);
}
END_TEST

START_TEST(control_characters_stay_on_one_line)
{
	static zp_config c;
	char err[512];

	ck_assert_int_eq(load("[detector]\nthreshold = 1\r2\n", &c, err, sizeof(err)), ZP_EINVAL);
	ck_assert_str_eq(err, "site.ini:2: [detector] threshold: expected an integer from 1 to 255, got '1?2'");
}
END_TEST

START_TEST(shipped_examples_load)
{
	const char *src = getenv("ZP_SOURCE_DIR");
	static zp_config c;
	char path[1024], err[512];

	ck_assert_ptr_nonnull(src);
	snprintf(path, sizeof(path), "%s/examples/vtest.ini", src);
	ck_assert_msg(zp_config_load(path, &c, err, sizeof(err)) == ZP_OK, "%s", err);
	ck_assert_int_eq(c.nzones, 3);
	ck_assert_msg(zp_config_check_frame(&c, 768, 576, err, sizeof(err)) == ZP_OK, "%s", err);
	snprintf(path, sizeof(path), "%s/deploy/zebrapad.ini.example", src);
	ck_assert_msg(zp_config_load(path, &c, err, sizeof(err)) == ZP_OK, "%s", err);
	ck_assert_msg(zp_config_check_frame(&c, c.camera.width, c.camera.height, err, sizeof(err)) == ZP_OK, "%s", err);
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/tests/configs/%s", src, i ? "synthetic.ini" : "cdnet_pedestrians.ini");
		if (access(path, R_OK) == 0)
			ck_assert_msg(zp_config_load(path, &c, err, sizeof(err)) == ZP_OK, "%s", err);
	}
}
END_TEST

START_TEST(setters_report_unknown_keys_as_enodev)
{
	zp_detector_params d;
	zp_lights_params l;
	zp_gpio_params g;
	zp_camera_params cam;
	zp_store_params s;
	char err[256];

	zp_detector_params_default(&d);
	zp_lights_params_default(&l);
	zp_gpio_params_default(&g);
	zp_camera_params_default(&cam);
	zp_store_params_default(&s);
	ck_assert_int_eq(zp_detector_params_set(&d, "nope", "1", err, sizeof(err)), ZP_ENODEV);
	ck_assert_int_eq(zp_lights_params_set(&l, "nope", "1", err, sizeof(err)), ZP_ENODEV);
	ck_assert_int_eq(zp_gpio_params_set(&g, "nope", "1", err, sizeof(err)), ZP_ENODEV);
	ck_assert_int_eq(zp_camera_params_set(&cam, "nope", "1", err, sizeof(err)), ZP_ENODEV);
	ck_assert_int_eq(zp_store_params_set(&s, "nope", "1", err, sizeof(err)), ZP_ENODEV);
	/* every field name is a key */
	ck_assert_int_eq(zp_detector_params_set(&d, "track_max_dist", "12.5", err, sizeof(err)), ZP_OK);
	ck_assert_double_eq(d.track_max_dist, 12.5);
	/* the pixel sizes (and the scale) take "auto" (0); other keys do not */
	{
		static const char *const auto_keys[] = { "min_area", "max_area", "track_max_dist", "scale" };

		d.min_area = 700;
		d.max_area = 9000;
		d.scale = 2;
		for (size_t i = 0; i < sizeof(auto_keys) / sizeof(auto_keys[0]); i++)
			ck_assert_int_eq(zp_detector_params_set(&d, auto_keys[i], "auto", err, sizeof(err)), ZP_OK);
		ck_assert(d.min_area == 0 && d.max_area == 0 && d.track_max_dist == 0 && d.scale == 0);
		ck_assert_int_eq(zp_detector_params_set(&d, "threshold", "auto", err, sizeof(err)), ZP_EINVAL);
	}
	ck_assert_int_eq(zp_detector_params_set(&d, "ghost_fade_ms", "999", err, sizeof(err)), ZP_EINVAL);
	ck_assert_int_eq(zp_lights_params_set(&l, "blink_ms", "250", err, sizeof(err)), ZP_OK);
	ck_assert_int_eq(l.blink_ms, 250);
	ck_assert_int_eq(zp_gpio_params_set(&g, "button_hold_ms", "500", err, sizeof(err)), ZP_OK);
	ck_assert_int_eq(g.button_hold_ms, 500);
	ck_assert_int_eq(zp_gpio_params_set(&g, "chip", "gpio chip", err, sizeof(err)), ZP_EINVAL);
	ck_assert_int_eq(zp_camera_params_set(&cam, "fps", "30", err, sizeof(err)), ZP_OK);
	ck_assert_int_eq(cam.fps, 30);
	ck_assert_int_eq(zp_camera_params_set(&cam, "pixelformat", "Auto", err, sizeof(err)), ZP_OK);
	ck_assert_str_eq(cam.pixelformat, "auto");
	ck_assert_int_eq(zp_camera_params_set(&cam, "pixelformat", "YUYVX", err, sizeof(err)), ZP_EINVAL);
	ck_assert_int_eq(zp_camera_params_set(&cam, "device", "", err, sizeof(err)), ZP_EINVAL);
	/* a control set twice keeps one slot; the 17th distinct control is refused */
	ck_assert_int_eq(zp_camera_params_set(&cam, "control.gain", "5", err, sizeof(err)), ZP_OK);
	ck_assert_int_eq(zp_camera_params_set(&cam, "control.gain", "-7", err, sizeof(err)), ZP_OK);
	ck_assert_int_eq(cam.ncontrols, 1);
	ck_assert_int_eq(cam.controls[0].value, -7);
	for (int i = 1; i < ZP_MAX_CONTROLS; i++) {
		char key[32];

		snprintf(key, sizeof(key), "control.c%d", i);
		ck_assert_int_eq(zp_camera_params_set(&cam, key, "1", err, sizeof(err)), ZP_OK);
	}
	ck_assert_int_eq(zp_camera_params_set(&cam, "control.c99", "1", err, sizeof(err)), ZP_EINVAL);
	ck_assert_str_eq(err, "too many controls (max 16)");
	ck_assert_int_eq(zp_camera_params_set(&cam, "control.", "1", err, sizeof(err)), ZP_EINVAL);
	ck_assert_int_eq(zp_store_params_set(&s, "path", "/tmp/x.db", err, sizeof(err)), ZP_OK);
	ck_assert_str_eq(s.path, "/tmp/x.db");
	/* check() sees a struct filled by hand */
	d.scale = 3;
	ck_assert_int_eq(zp_detector_params_check(&d, err, sizeof(err)), ZP_EINVAL);
	ck_assert_str_eq(err, "scale: expected 0 (auto), 1, 2 or 4, got 3");
	l.stall_ms = 0;
	ck_assert_int_eq(zp_lights_params_check(&l, err, sizeof(err)), ZP_EINVAL);
	ck_assert_str_eq(err, "stall_ms: expected an integer from 100 to 60000, got 0");
	ck_assert_str_eq(zp_health_name(ZP_HEALTH_FROZEN), "frozen");
	ck_assert_str_eq(zp_light_state_name(ZP_LIGHT_FAILSAFE), "failsafe");
}
END_TEST

/* zp_ini_rewrite on text in memory: the output as a string (caller frees). */
static char *rewrite(const char *text, const zp_ini_edit *e, int n)
{
	FILE *in = fmemopen((void *)text, strlen(text), "r");
	char *buf = NULL, err[200];
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(in);
	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(zp_ini_rewrite(in, out, "detector", e, n, err, sizeof(err)), 0);
	fclose(in);
	fclose(out);
	return buf;
}

START_TEST(ini_rewrite_keeps_the_file_and_sets_keys)
{
	const zp_ini_edit e[] = { { "threshold", "25", "tuned (threshold=10:30:5)" },
				  { "min_area", "400", "tuned (min_area=100:500:100)" } };
	const char *text = "; a site\n[site]\nname = x\nthreshold = 9\n\n[ detector ]\n  threshold= 20 ; old\n"
			   "scale = 2\n\n; the kerb\n[zone a]\nrole = waiting\n";
	char *out;

	/* replaced in place with the old value in the comment; missing key before the section's closing
	   comment; [site]'s threshold (not the section) untouched; everything else byte for byte */
	out = rewrite(text, e, 2);
	ck_assert_str_eq(out, "; a site\n[site]\nname = x\nthreshold = 9\n\n[ detector ]\n"
			      "; tuned (threshold=10:30:5), was 20 ; old\nthreshold = 25\nscale = 2\n"
			      "; tuned (min_area=100:500:100)\nmin_area = 400\n\n; the kerb\n[zone a]\nrole = waiting\n");
	free(out);

	/* no edits: a copy */
	out = rewrite(text, e, 0);
	ck_assert_str_eq(out, text);
	free(out);

	/* no [detector]: one at the end; a key named like another's prefix is not that key */
	out = rewrite("[site]\nname = x\n", e, 1);
	ck_assert_str_eq(out, "[site]\nname = x\n\n[detector]\n; tuned (threshold=10:30:5)\nthreshold = 25\n");
	free(out);
	out = rewrite("[detector]\nthreshold_x = 3\n", e, 1);
	ck_assert_str_eq(out, "[detector]\nthreshold_x = 3\n; tuned (threshold=10:30:5)\nthreshold = 25\n");
	free(out);

	/* [detector] last in the file, its trailing comment kept after the added key */
	out = rewrite("[detector]\nscale = 1\n; end\n", e + 1, 1);
	ck_assert_str_eq(out, "[detector]\nscale = 1\n; tuned (min_area=100:500:100)\nmin_area = 400\n; end\n");
	free(out);
}
END_TEST

START_TEST(ini_rewrite_output_loads_with_the_values)
{
	const zp_ini_edit e[] = { { "threshold", "25", "tuned" }, { "warmup_frames", "7", "tuned" } };
	char *out = rewrite("[site]\nname = s\n[detector]\nthreshold = 20\n[zone a]\nrole = waiting\n"
			    "polygon = 0,0 10,0 10,10 0,10\n", e, 2);
	zp_config *c = malloc(sizeof(*c));
	char err[300];

	ck_assert_ptr_nonnull(c);
	ck_assert_msg(zp_config_load_string(out, "best.ini", c, err, sizeof(err)) == 0, "%s\n%s", err, out);
	ck_assert_int_eq(c->detector.threshold, 25);
	ck_assert_int_eq(c->detector.warmup_frames, 7);
	ck_assert_int_eq(c->nzones, 1);
	free(c);
	free(out);
}
END_TEST


int main(void)
{
	const struct zp_test_case cases[] = {
		{ .name = "load", .tests = ZP_TESTS(
			good_file_loads_with_values,
			defaults,
			unknown_section,
			unknown_key,
			malformed_polygon,
			self_intersecting_polygon,
			too_few_points,
			bad_numbers,
			checks_across_keys,
			zone_errors,
			crossing_sides,
			too_many_zones,
			ground_points,
			zone_outside_frame,
			syntax_error,
			long_lines,
			missing_file,
			file_errors_name_the_file,
			control_characters_stay_on_one_line,
			shipped_examples_load,
			setters_report_unknown_keys_as_enodev,
			ini_rewrite_keeps_the_file_and_sets_keys,
			ini_rewrite_output_loads_with_the_values) },
	};

	return zp_test_run(ZP_TEST_SUITE("config", cases));
}
