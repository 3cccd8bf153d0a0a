/* SPDX-License-Identifier: MIT */
/* Everything an app written against the Skiff kernel API includes. */
#ifndef SKIFF_SKIFF_H
#define SKIFF_SKIFF_H

#include <skiff/app.h>
#include <skiff/compiler.h>
#include <skiff/heap.h>
#include <skiff/mutex.h>
#include <skiff/panic.h>
#include <skiff/printk.h>
#include <skiff/thread.h>
#include <skiff/time.h>
#include <skiff/timer.h>

#endif
