/* libyaml's parser (Debian package libyaml-dev), for XenplanYAML. Only declarations;
 * nothing here is compiled. The module map links the static archive by its file name,
 * so that the xenplan binary carries the parser and a host needs no libyaml package. */
#ifndef CYAML_SHIM_H
#define CYAML_SHIM_H

#include <yaml.h>

#endif
