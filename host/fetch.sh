#!/usr/bin/env bash
# fetch.sh NAME DIR: unpack the source (or, KIND bin, the build tool) that
# config/bases names NAME into DIR (which must not exist) and print its
# version. The package comes from
# the machine's own Debian archive (the URIs of its apt sources), from the
# suite config/bases names, through an apt state of its own under
# work/apt/SUITE: the machine's apt configuration is not changed and
# nothing is installed. A version the archive does not have fails, and
# says which versions it has.
. "$(dirname "$0")/lib.sh"

name=$1 dir=$2
read -r kind pkg version suite < <(awk -v n="$name" '$1 == n { print $2, $3, $4, $5 }' \
	"$TOP/config/bases")
[ -n "${suite:-}" ] || die "fetch: config/bases names no $name"

# The machine's archive for SUITE: the URI (and keyring) of the apt source
# that serves it, else that of a source of the same kind (security or not).
archive() {
	local want=$1
	python3 - "$want" /etc/apt/sources.list.d/*.sources <<-'EOF'
	import sys
	want, paths = sys.argv[1], sys.argv[2:]
	stanzas = []
	for path in paths:
	    for block in open(path).read().split('\n\n'):
	        fields = {}
	        for line in block.splitlines():
	            if ':' in line and not line.startswith((' ', '#')):
	                key, value = line.split(':', 1)
	                fields[key.strip()] = value.split()
	        if 'deb' in fields.get('Types', []) and fields.get('URIs'):
	            stanzas.append(fields)
	security = want.endswith('-security')
	for match in (lambda s: want in s.get('Suites', []),
	              lambda s: any(x.endswith('-security') == security for x in s.get('Suites', []))):
	    for s in stanzas:
	        if match(s):
	            key = s.get('Signed-By', ['/usr/share/keyrings/debian-archive-keyring.gpg'])[0]
	            print(s['URIs'][0], key)
	            sys.exit(0)
	sys.exit(1)
	EOF
}
read -r uri keyring < <(archive "$suite") ||
	die "fetch: no apt source of this machine (/etc/apt/sources.list.d/*.sources) serves Debian's archive"

state=$WORK/apt/$suite
mkdir -p "$state/lists/partial" "$state/cache/archives/partial"
cat >"$state/sources.list" <<-EOF
deb [signed-by=$keyring] $uri $suite main
deb-src [signed-by=$keyring] $uri $suite main
EOF
apt_opts=(-o Dir::Etc::SourceList="$state/sources.list" -o Dir::Etc::SourceParts=/nonexistent
	  -o Dir::State::Lists="$state/lists" -o Dir::Cache="$state/cache"
	  -o Dir::State::Status=/dev/null -o APT::Architectures::="$(dpkg --print-architecture)"
	  -o APT::Sandbox::User=root)
run_logged "apt-$suite" apt-get "${apt_opts[@]}" update

if [ "$kind" = dsc ]; then
	have=$(apt-cache "${apt_opts[@]}" showsrc "$pkg" 2>/dev/null | sed -n 's/^Version: //p')
else
	have=$(apt-cache "${apt_opts[@]}" madison "$pkg" 2>/dev/null | awk -F' *[|] *' '{ print $2 }')
fi
grep -qxF "$version" <<<"$have" ||
	die "fetch: $suite has no $pkg $version (config/bases); it has: $(echo $have)"

tmp=$(mktemp -d "$WORK/fetch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
download() {
	(cd "$tmp" && run_logged "download-$name" apt-get "${apt_opts[@]}" download "$pkg=$version")
}
case $kind in
dsc)
	(cd "$tmp" && run_logged "source-$name" apt-get "${apt_opts[@]}" source "$pkg=$version")
	src=$(find "$tmp" -mindepth 1 -maxdepth 1 -type d)
	rm -rf "$src/.pc"	# quilt's bookkeeping of Debian's patches
	mv "$src" "$dir"
	;;
deb)
	download
	dpkg-deb --fsys-tarfile "$tmp"/*.deb | tar -x -C "$tmp" --wildcards './usr/src/*.tar.xz'
	mkdir -p "$dir"
	tar -xf "$tmp"/usr/src/*.tar.xz -C "$dir" --strip-components=1
	;;
bin)
	download
	dpkg-deb -x "$tmp"/*.deb "$dir"
	;;
*)
	die "fetch: config/bases gives $name the unknown KIND $kind"
	;;
esac
echo "$pkg $version"
