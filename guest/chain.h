/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest programs' one reader of a VFIO capability chain
 * (VFIO_IOMMU_GET_INFO's, VFIO_DEVICE_GET_INFO's), as a careful reader walks
 * it: every header inside argsz, 8-byte aligned and after the previous one
 * (so every walk ends). A chain that breaks a rule ends where it does, and
 * says why.
 */
#ifndef GUEST_CHAIN_H
#define GUEST_CHAIN_H

#include <stddef.h>
#include <linux/vfio.h>

/*
 * The capability after @hdr (the first one, at @cap_offset, with @hdr NULL)
 * in the @argsz bytes of @info, an answer whose fixed part is @size bytes,
 * or NULL: at the end of the chain (*@why NULL), or where it breaks a rule
 * (*@why says which).
 */
static inline const struct vfio_info_cap_header *
chain_next(const void *info, size_t size, __u32 cap_offset, __u32 argsz,
	   const struct vfio_info_cap_header *hdr, const char **why)
{
	__u32 prev = hdr ? (__u32)((const char *)hdr - (const char *)info) : 0;
	__u32 off = hdr ? hdr->next : cap_offset;

	*why = NULL;
	if (!off)
		return NULL;
	if (off < size || off <= prev)
		*why = "offset goes backwards";
	else if (off % 8)
		*why = "offset not 8-byte aligned";
	else if (off + sizeof(*hdr) > argsz)
		*why = "header past argsz";
	return *why ? NULL : (const void *)((const char *)info + off);
}

/*
 * for_each_cap(hdr, info, argsz, why): each capability of @info (a struct
 * vfio_iommu_type1_info or vfio_device_info), as chain_next().
 */
#define for_each_cap(hdr, info, argsz, why)					\
	for ((hdr) = chain_next((info), sizeof(*(info)), (info)->cap_offset,	\
				(argsz), NULL, &(why));				\
	     (hdr);								\
	     (hdr) = chain_next((info), sizeof(*(info)), (info)->cap_offset,	\
				(argsz), (hdr), &(why)))

/* The offset of @hdr in @info. */
#define cap_off(info, hdr) ((__u32)((const char *)(hdr) - (const char *)(info)))

/* Whether a capability of @size bytes at @hdr lies within @argsz. */
#define cap_fits(info, argsz, hdr, size) (cap_off(info, hdr) + (__u64)(size) <= (argsz))

#endif
