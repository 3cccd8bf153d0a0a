// SPDX-License-Identifier: MIT
/* Reads the MC146818 CMOS real-time clock once, for the wall clock. */
#include <kvm/setup.h>
#include <kvm/x86.h>

#define CMOS_ADDR 0x70
#define CMOS_DATA 0x71

static uint8_t cmos(uint8_t reg)
{
	outb(CMOS_ADDR, reg | 0x80); /* bit 7 keeps NMIs off while we read */
	return inb(CMOS_DATA);
}

static unsigned bcd(uint8_t v, bool is_bcd)
{
	return is_bcd ? (v & 0xf) + (v >> 4) * 10 : v;
}

/* Days from 1970-01-01 to the given civil date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* In 12-hour mode bit 7 of the hour is PM; 12 AM is hour 0. */
static unsigned rtc_hour(uint8_t raw, uint8_t status_b, bool is_bcd)
{
	unsigned h = bcd(raw & 0x7f, is_bcd);

	if (status_b & 0x02)
		return h;
	return h % 12 + ((raw & 0x80) ? 12 : 0);
}

uint64_t rtc_read_unix_ns(void)
{
	uint8_t status_b;
	bool is_bcd;
	unsigned spins = 0;
	int64_t days, secs;

	if (cmos(0x0a) == 0xff)
		return 0; /* no RTC */
	/* Wait out an update in progress, so the fields belong to one second. */
	while (cmos(0x0a) & 0x80)
		if (++spins > 100000)
			return 0;
	status_b = cmos(0x0b);
	is_bcd = !(status_b & 0x04);
	days = days_from_civil(2000 + bcd(cmos(0x09), is_bcd), bcd(cmos(0x08), is_bcd),
			       bcd(cmos(0x07), is_bcd));
	secs = days * 86400 + rtc_hour(cmos(0x04), status_b, is_bcd) * 3600 +
	       bcd(cmos(0x02), is_bcd) * 60 + bcd(cmos(0x00), is_bcd);
	return secs > 0 ? (uint64_t)secs * 1000000000ULL : 0;
}
