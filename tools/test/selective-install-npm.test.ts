import { describeSelectiveInstall } from "./support/selective-install.js";

describeSelectiveInstall("npm");
