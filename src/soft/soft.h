/* Container slots: NCA key files shown as tokens. */
#ifndef KZP11_SOFT_H
#define KZP11_SOFT_H

#include "pkcs11.h"
#include "util/conf.h"

/* Finds the containers in the configured places and adds a slot for each. */
CK_RV kz_soft_scan(const struct kz_conf *conf);

#endif
