# Debian package: `cpack -G DEB` in the build folder writes newsidx_<version>_<arch>.deb with
# everything install() puts under /usr. Needs dpkg-dev (dpkg-shlibdeps computes Depends from the
# shared libraries the binary links) and file.
set(NEWSIDX_PACKAGE_MAINTAINER "The newsidx developers <newsidx@invalid>"
    CACHE STRING "Maintainer field of the Debian package (Name <email>)")
set(CPACK_PACKAGE_NAME newsidx)
set(CPACK_PACKAGE_VENDOR "The newsidx developers")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "indexer and search tool for saved Chinese and English news")
# Debian wants the extended description in lines of at most 80 columns.
set(CPACK_PACKAGE_DESCRIPTION
    "newsidx indexes folders of saved news articles (RSS exports, Jekyll posts)
and searches them from the terminal and from shell pipelines. A query finds
every article that contains it, across Traditional and Simplified Chinese,
full-width forms and case; results are ranked by BM25 and printed as text,
JSON Lines or TSV.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${NEWSIDX_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
include(CPack)
